"""The one validation kernel of IMS: field checks that collect every mistake before raising once.

Every service's domain and the gateway report invalid input the same way: `ValidationFailed` with
the code `request.invalid` and `fields` = {"field": ["field.<code>", ...]} (codes translated by
ims_common/messages.py). The gateway's marshmallow schemas raise the same code, so a client sees one
shape whatever layer refused its input.

Checks take the value, the field name and the Errors collector; they return the cleaned value, or
None (and record a code) when it is absent or wrong. Framework-free: domains import it."""
from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from ims_common.errors import ValidationFailed

INVALID = "request.invalid"     # the one top-level code for invalid input
SHORT = 200      # names, languages, codes
LONG = 2000      # comments, notes, details
EMAIL_MAX = 254
MISSING: Any = object()         # "not given", distinct from an explicit null
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_RE = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_DECIMAL_RE = re.compile(r"\d{1,7}(\.\d+)?")
YEARS = (2000, 2099)            # dates outside are typing mistakes


def invalid(fields: dict) -> ValidationFailed:
    """The error for invalid input naming its fields (the message lists them)."""
    return ValidationFailed(INVALID, {"fields": ", ".join(fields)}, fields)


class Errors:
    """field -> [codes], filled by the checks; `raise_if_any` raises one ValidationFailed for all."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, code: str) -> None:
        self.fields.setdefault(field, []).append(code)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise invalid(self.fields)


def fail(field: str, code: str) -> ValidationFailed:
    """A ValidationFailed for one field and one code (raise it)."""
    return invalid({field: [code]})


def _absent(value, field: str, errors: Errors, required: bool) -> bool:
    if value is None or value is MISSING:
        if required:
            errors.add(field, "field.required")
        return True
    return False


def require_object(value, name: str = "_schema") -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid({name: ["field.not_an_object"]})
    return value


def reject_unknown(data: dict, allowed: Iterable[str], errors: Errors, prefix: str = "") -> None:
    allowed = set(allowed)
    for key in data:
        if key not in allowed:
            errors.add(f"{prefix}{key}", "field.unknown")


def text(value, field: str, errors: Errors, max_len: int = SHORT, required: bool = False,
         multiline: bool = False) -> str | None:
    """A string, stripped; None when absent or blank (and a code when required). Control
    characters are refused, except line breaks and tabs in multi-line text."""
    if _absent(value, field, errors, required):
        return None
    if not isinstance(value, str):
        errors.add(field, "field.not_a_string")
        return None
    value = value.strip()
    if not value:
        if required:
            errors.add(field, "field.required")
        return None
    if len(value) > max_len:
        errors.add(field, "field.too_long")
        return None
    allowed = "\n\r\t" if multiline else ""
    if any((ord(c) < 32 or ord(c) == 127) and c not in allowed for c in value):
        errors.add(field, "field.invalid_characters")
        return None
    return value


def normalize_email(value) -> str | None:
    """Lowercase, stripped; None when it is not a plausible address."""
    if not isinstance(value, str):
        return None
    address = value.strip().lower()
    if len(address) > EMAIL_MAX or not EMAIL_RE.fullmatch(address):
        return None
    return address


def email(value, field: str, errors: Errors, required: bool = False) -> str | None:
    raw = text(value, field, errors, EMAIL_MAX, required)
    if raw is None:
        return None
    normalized = normalize_email(raw)
    if normalized is None:
        errors.add(field, "field.invalid_email")
    return normalized


def one_of(value, choices, field: str, errors: Errors, required: bool = False, default=None):
    if _absent(value, field, errors, required):
        return default
    if not isinstance(value, (str, int)) or isinstance(value, bool) or value not in choices:
        errors.add(field, "field.not_one_of")
        return None
    return value


def integer(value, field: str, errors: Errors, lo: int, hi: int, required: bool = False, default=None):
    if _absent(value, field, errors, required):
        return default
    if isinstance(value, bool) or not isinstance(value, int):  # bool is an int in Python
        errors.add(field, "field.not_an_integer")
        return None
    if not lo <= value <= hi:
        errors.add(field, "field.out_of_range")
        return None
    return value


def boolean(value, field: str, errors: Errors, required: bool = False, default=None):
    if _absent(value, field, errors, required):
        return default
    if not isinstance(value, bool):
        errors.add(field, "field.not_a_boolean")
        return None
    return value


def local_date(value, field: str, errors: Errors, required: bool = False) -> date | None:
    """YYYY-MM-DD, a real day between 2000 and 2099."""
    raw = text(value, field, errors, 10, required)
    if raw is None:
        return None
    try:
        parsed = date.fromisoformat(raw) if _DATE_RE.fullmatch(raw) else None
    except ValueError:
        parsed = None
    if parsed is None:
        errors.add(field, "field.invalid_date")
        return None
    if not YEARS[0] <= parsed.year <= YEARS[1]:
        errors.add(field, "field.out_of_range")
        return None
    return parsed


def local_time(value, field: str, errors: Errors, required: bool = False) -> time | None:
    """HH:MM, 24-hour clock."""
    raw = text(value, field, errors, 5, required)
    if raw is None:
        return None
    if not _TIME_RE.fullmatch(raw):
        errors.add(field, "field.invalid_time")
        return None
    return time.fromisoformat(raw)


def aware_datetime(value, field: str, errors: Errors, required: bool = False) -> datetime | None:
    """ISO 8601 date-time with an offset (or Z): a naive time would be ambiguous."""
    raw = text(value, field, errors, 40, required)
    if raw is None:
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        errors.add(field, "field.invalid_datetime")
        return None
    if parsed.tzinfo is None or not YEARS[0] <= parsed.year <= YEARS[1]:
        errors.add(field, "field.invalid_datetime")
        return None
    return parsed


def decimal_string(value, field: str, errors: Errors, max_value: Decimal, places: int = 2,
                   default: str | None = None) -> str | None:
    """A non-negative decimal kept as a string ("12.50"); a comma is read as the decimal mark
    (French input); floats are refused (never exact)."""
    if value is None or value is MISSING:
        return default
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        errors.add(field, "field.invalid_decimal")
        return None
    raw = str(value).strip().replace(",", ".")
    if not _DECIMAL_RE.fullmatch(raw):
        errors.add(field, "field.invalid_decimal")
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:  # the pattern above already guarantees a number
        errors.add(field, "field.invalid_decimal")
        return None
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        errors.add(field, "field.invalid_decimal")
        return None
    if number > max_value:
        errors.add(field, "field.out_of_range")
        return None
    return str(number.quantize(Decimal(1).scaleb(-places)))
