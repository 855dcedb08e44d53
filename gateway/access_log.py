"""The gateway's access log without the secrets some URLs carry (issue 17): the token of a password
reset link (`?token=`), the secret of a calendar feed (`/cal/<secret>.ics`) and, in general, any
query parameter named like a secret. gunicorn's `logger_class` (deploy/gunicorn.conf.py)."""
from __future__ import annotations

import re

from gunicorn.glogging import Logger

MASK = "***"
_SECRET_PARAM = re.compile(r"(?i)((?:^|[?&;])(?:[^=&;\s]*(?:token|secret|code|password|key))=)[^&;\s\"]*")
_CAL = re.compile(r"(/cal/)[^/?\s\"]+(\.ics)")
# A text holding none of these cannot hold a secret either pattern masks: most lines are checked
# with a few substring searches instead of two case-insensitive regular expressions.
_HINTS = ("token", "secret", "code", "password", "key", "/cal/")
_ATOMS = ("r", "U", "q", "f", "{referer}i", "{raw_uri}e", "{query_string}e", "{path_info}e", "{request_uri}e")


def mask(text):
    """The text with every secret of a URL replaced by ***."""
    if not isinstance(text, str):
        return text
    lowered = text.lower()
    if not any(hint in lowered for hint in _HINTS):
        return text
    return _CAL.sub(rf"\g<1>{MASK}\g<2>", _SECRET_PARAM.sub(rf"\g<1>{MASK}", text))


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in _ATOMS:
            if name in atoms:
                atoms[name] = mask(atoms[name])
        return atoms
