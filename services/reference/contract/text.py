"""How reference data is searched: accents, case and punctuation do not count ("Hôpital
Maisonneuve-Rosemont" is found by "hopital maisonneuve rosemont")."""
from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s'’`\-_/.,;:()]+")


def fold_text(value) -> str:
    """Lowercase, without accents, with runs of spaces and punctuation made one space."""
    if value is None:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(value))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = plain.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return _SEPARATORS.sub(" ", plain).strip()


def matches(query: str, *values) -> bool:
    """Every word of the query appears in one of the values (folded)."""
    words = fold_text(query).split()
    haystack = " ".join(fold_text(v) for v in values if v is not None)
    return all(w in haystack for w in words)
