"""Where a page may send someone next (`next`): a path of this site, nothing else (issue 17).

Parsed, not prefix-matched: browsers drop tabs and line breaks from a Location and read a backslash
as a slash, so "/\\t/evil.example" or "/\\\\evil.example" lead to another site; such characters are
refused (never cleaned into something else), and so is anything with a scheme or a host."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

MAX_LENGTH = 2000


def same_site_path(target, default: str) -> str:
    """`target` when it is a path of this site ("/profil?x=1"), else `default`."""
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return default
    if any(not c.isprintable() or c in " \\" for c in target):
        return default
    try:
        parts = urlsplit(target)
    except ValueError:   # e.g. an unbalanced "[" read as an IPv6 host
        return default
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return default
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))
