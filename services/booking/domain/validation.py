"""Small field checks shared by booking fields, service reports and attachments.

Each check records error codes per field in an Errors collector instead of raising at the first
problem, so a form can show every mistake at once."""
from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from ims_common.errors import ValidationFailed

SHORT = 200      # names, languages, codes
LONG = 2000      # comments, notes, details
MISSING = object()


class Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, code: str) -> None:
        self.fields.setdefault(field, []).append(code)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise invalid(self.fields)


def invalid(fields: dict) -> ValidationFailed:
    return ValidationFailed("request.invalid", {"fields": ", ".join(fields)}, fields)


def require_object(value, name: str = "_schema") -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid({name: ["field.not_an_object"]})
    return value


def reject_unknown(data: dict, allowed, errors: Errors, prefix: str = "") -> None:
    for key in data:
        if key not in allowed:
            errors.add(f"{prefix}{key}", "field.unknown")


def text(value, field: str, errors: Errors, max_len: int = SHORT, required: bool = False):
    """A string (stripped), or None when absent/empty and not required."""
    if value is None or value is MISSING:
        if required:
            errors.add(field, "field.required")
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
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        errors.add(field, "field.invalid_characters")
        return None
    return value


def integer(value, field: str, errors: Errors, lo: int, hi: int, required: bool = False, default=None):
    if value is None or value is MISSING:
        if required:
            errors.add(field, "field.required")
        return default
    if isinstance(value, bool) or not isinstance(value, int):  # bool is an int in Python
        errors.add(field, "field.not_an_integer")
        return None
    if not lo <= value <= hi:
        errors.add(field, "field.out_of_range")
        return None
    return value


def boolean(value, field: str, errors: Errors, required: bool = False, default=None):
    if value is None or value is MISSING:
        if required:
            errors.add(field, "field.required")
        return default
    if not isinstance(value, bool):
        errors.add(field, "field.not_a_boolean")
        return None
    return value


def local_date(value, field: str, errors: Errors, required: bool = False) -> date | None:
    raw = text(value, field, errors, 10, required)
    if raw is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        errors.add(field, "field.invalid_date")
        return None
    try:
        parsed = date.fromisoformat(raw)
    except ValueError:
        errors.add(field, "field.invalid_date")
        return None
    if not 2000 <= parsed.year <= 2099:
        errors.add(field, "field.out_of_range")
        return None
    return parsed


def local_time(value, field: str, errors: Errors, required: bool = False) -> time | None:
    raw = text(value, field, errors, 5, required)
    if raw is None:
        return None
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", raw):
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
    if parsed.tzinfo is None or not 2000 <= parsed.year <= 2099:
        errors.add(field, "field.invalid_datetime")
        return None
    return parsed


def decimal_string(value, field: str, errors: Errors, max_value: Decimal, places: int = 2,
                   default: str | None = None) -> str | None:
    """A non-negative decimal kept as a string ("12.50"); floats are refused (never exact)."""
    if value is None or value is MISSING:
        return default
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        errors.add(field, "field.invalid_decimal")
        return None
    raw = str(value).strip().replace(",", ".")
    if not re.fullmatch(r"\d{1,7}(\.\d+)?", raw):
        errors.add(field, "field.invalid_decimal")
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern above already guarantees a number
        errors.add(field, "field.invalid_decimal")
        return None
    if -number.as_tuple().exponent > places:
        errors.add(field, "field.invalid_decimal")
        return None
    if number > max_value:
        errors.add(field, "field.out_of_range")
        return None
    return str(number.quantize(Decimal(1).scaleb(-places)))
