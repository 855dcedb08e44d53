"""Auth's own field checks, over the shared kernel (ims_common.validation): names, establishment codes,
display languages."""
from __future__ import annotations

import re

from ims_common import validation as v
from services.auth.contract.vocabulary import DISPLAY_LANGUAGES

NAME_MAX = 100
ESTABLISHMENT_RE = re.compile(r"[A-Z]{2,6}")
LANGUAGES = DISPLAY_LANGUAGES


def name(value, field: str, errors: v.Errors) -> str | None:
    return v.text(value, field, errors, NAME_MAX, required=True)


def establishment(value, field: str, errors: v.Errors, required: bool = True) -> str | None:
    """An establishment's code, such as HC: 2 to 6 capital letters."""
    raw = v.text(value, field, errors, 6, required=required)
    if raw is None:
        return None
    if not ESTABLISHMENT_RE.fullmatch(raw):
        errors.add(field, "field.invalid_format")
        return None
    return raw


def user_id(value) -> str:
    """An account identifier as typed (any case, spaces around); '' when it is not a string."""
    return value.strip().upper() if isinstance(value, str) else ""
