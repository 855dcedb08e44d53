"""Field checks that collect every mistake (field -> [codes]) before raising once.

Codes are those of ims_common/messages.py so the gateway can translate them."""
from __future__ import annotations

import re

from ims_common.errors import ValidationFailed

VALIDATION_FAILED = "validation.failed"
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
EMAIL_MAX = 254
NAME_MAX = 100
ESTABLISHMENT_RE = re.compile(r"[A-Z]{2,6}")
LANGUAGES = ("fr", "en")


class Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, code: str) -> None:
        self.fields.setdefault(field, []).append(code)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(VALIDATION_FAILED, fields=self.fields)


def text(value, field: str, errors: Errors, max_len: int, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(field, "field.required")
        return None
    if not isinstance(value, str):
        errors.add(field, "field.not_a_string")
        return None
    value = value.strip()
    if len(value) > max_len:
        errors.add(field, "field.too_long")
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        errors.add(field, "field.invalid_characters")
        return None
    return value


def normalize_email(value) -> str | None:
    """Lowercase, stripped; None when it is not a plausible address."""
    if not isinstance(value, str):
        return None
    email = value.strip().lower()
    if len(email) > EMAIL_MAX or not EMAIL_RE.fullmatch(email):
        return None
    return email


def email(value, errors: Errors, field: str = "email") -> str | None:
    raw = text(value, field, errors, EMAIL_MAX)
    if raw is None:
        return None
    normalized = normalize_email(raw)
    if normalized is None:
        errors.add(field, "field.invalid_email")
    return normalized


def one_of(value, choices, field: str, errors: Errors, required: bool = True, default=None):
    if value is None:
        if required:
            errors.add(field, "field.required")
        return default
    if value not in choices:
        errors.add(field, "field.not_one_of")
        return None
    return value


def establishment(value, errors: Errors, field: str = "establishment") -> str | None:
    raw = text(value, field, errors, 6)
    if raw is None:
        return None
    if not ESTABLISHMENT_RE.fullmatch(raw):
        errors.add(field, "field.invalid_format")
        return None
    return raw

