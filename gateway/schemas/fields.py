"""Strict marshmallow fields and validators whose errors are message codes (ims_common/messages.py),
so the gateway can answer in the caller's language. No field coerces: "12" is not an integer,
1 is not a boolean, {"$ne": ""} is not a string. Dates stay strings (the services parse them, and
kombu's JSON would otherwise turn date objects into tagged values). An optional field may be null:
the services read null as "absent" (and, in a modification, as "clear this field"), and a client
may send back a report exactly as it read it."""
from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime, time

from marshmallow import Schema, ValidationError, fields, validate

from ims_common.files import base64_max_length

SHORT = 200       # names, labels, codes (the booking and auth domains' limits)
LONG = 2000       # free text: notes, comments, details


class Msg(str):
    """A message code carrying its str.format params through marshmallow's error dicts."""

    def __new__(cls, code: str, **params):
        obj = super().__new__(cls, code)
        obj.params = params
        return obj


# ---- validators (subclasses of marshmallow's, so apispec still documents the limits) ----

class Length(validate.Length):
    def __init__(self, min=None, max=None, *, items=False):  # noqa: A002
        super().__init__(min=min, max=max)
        self.items = items

    def _format_error(self, value, message):
        too_long = self.max is not None and len(value) > self.max
        if self.items:
            return Msg("field.too_many" if too_long else "field.too_few", min=self.min, max=self.max)
        return Msg("field.too_long" if too_long else "field.too_short", min=self.min, max=self.max)


class Range(validate.Range):
    def _format_error(self, value, message):
        return Msg("field.out_of_range", min=self.min, max=self.max)


class OneOf(validate.OneOf):
    def _format_error(self, value):
        return Msg("field.not_one_of", choices=self.choices_text)


class Regexp(validate.Regexp):
    """Whole-value match: marshmallow's Regexp uses re.match, and "$" would accept a final newline.
    The ^...$ form is what the OpenAPI document shows (ECMA regexes have no \\A or \\Z)."""

    def __init__(self, pattern: str, code: str = "field.invalid_format"):
        super().__init__("^(?:" + pattern + ")$")
        self.code = code

    def __call__(self, value):
        if self.regex.fullmatch(value) is None:
            raise ValidationError(Msg(self.code))
        return value


def no_control_chars(value: str) -> None:
    # NUL and other C0 controls (tab/newlines allowed) break logs, exports and some stores.
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value):
        raise ValidationError(Msg("field.invalid_characters"))


# ---- fields ----

_COMMON = {"required": "field.required", "null": "field.null", "validator_failed": "field.invalid"}


def _nullable_unless_required(kwargs: dict) -> dict:
    kwargs.setdefault("allow_none", not kwargs.get("required", False))
    return kwargs


class Text(fields.String):
    default_error_messages = {**_COMMON, "invalid": "field.not_a_string", "invalid_utf8": "field.not_a_string"}

    def __init__(self, max_length: int = SHORT, *, min_length: int | None = None, validate=(), **kwargs):
        checks = [Length(min=min_length, max=max_length), no_control_chars, *_as_list(validate)]
        super().__init__(validate=checks, **_nullable_unless_required(kwargs))


class Pattern(Text):
    """A short string matching a regular expression (codes, identifiers)."""

    def __init__(self, pattern: str, max_length: int = 64, code: str = "field.invalid_format", **kwargs):
        super().__init__(max_length, validate=[Regexp(pattern, code)], **kwargs)


class Choice(Text):
    def __init__(self, choices, **kwargs):
        super().__init__(64, validate=[OneOf(list(choices))], **kwargs)


class Int(fields.Integer):
    default_error_messages = {**_COMMON, "invalid": "field.not_an_integer", "too_large": "field.out_of_range"}

    def __init__(self, min_value: int = 0, max_value: int = 1_000_000, *, strict: bool = True, **kwargs):
        super().__init__(strict=strict, validate=[Range(min_value, max_value)], **_nullable_unless_required(kwargs))

    def _validated(self, value):
        if isinstance(value, bool) or isinstance(value, float) and self.strict:
            raise self.make_error("invalid")
        return super()._validated(value)


class Bool(fields.Boolean):
    default_error_messages = {**_COMMON, "invalid": "field.not_a_boolean"}

    def __init__(self, **kwargs):
        super().__init__(**_nullable_unless_required(kwargs))

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class ListOf(fields.List):
    default_error_messages = {**_COMMON, "invalid": "field.not_a_list"}

    def __init__(self, inner, *, max_items: int = 100, min_items: int | None = None, **kwargs):
        super().__init__(inner, validate=[Length(min=min_items, max=max_items, items=True)],
                         **_nullable_unless_required(kwargs))
        self.inner.allow_none = False  # the list may be null, its items may not


class Obj(fields.Nested):
    default_error_messages = {**_COMMON, "type": "field.not_an_object"}

    def __init__(self, nested, **kwargs):
        super().__init__(nested, **_nullable_unless_required(kwargs))


class _Parsed(Text):
    """A string that must parse with `parse`; the original string is kept."""
    code = "field.invalid_format"
    max_chars = 40
    doc: dict = {}

    def __init__(self, **kwargs):
        kwargs["metadata"] = {**self.doc, **kwargs.get("metadata", {})}
        super().__init__(self.max_chars, **kwargs)

    def parse(self, value: str):  # pragma: no cover - subclasses
        raise NotImplementedError

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        try:
            if len(value) > self.max_chars or self.parse(value) is False:
                raise ValueError
        except (ValueError, TypeError, OverflowError):
            raise ValidationError(Msg(self.code)) from None
        return value


class DateStr(_Parsed):
    code = "field.invalid_date"
    doc = {"format": "date", "example": "2025-09-01"}

    def parse(self, value):
        return re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None and bool(date.fromisoformat(value))


class TimeStr(_Parsed):
    code = "field.invalid_time"
    doc = {"pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "09:30"}

    def parse(self, value):
        return re.fullmatch(r"\d{2}:\d{2}", value) is not None and time.fromisoformat(value) is not None


class DateTimeStr(_Parsed):
    """ISO 8601 date and time with a UTC offset (or Z): a local time without one is ambiguous."""
    code = "field.invalid_datetime"
    doc = {"format": "date-time", "example": "2025-09-01T09:30:00-04:00"}

    def parse(self, value):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})", value):
            return False
        return datetime.fromisoformat(value.replace("z", "Z").replace("t", "T")).tzinfo is not None


class DecimalStr(Text):
    """A non-negative decimal as text, "12.5" or "12,5" (a whole number is also taken): distances
    and money never go through float. The booking domain normalizes it."""

    def __init__(self, **kwargs):
        super().__init__(12, validate=[Regexp(r"\d{1,7}([.,]\d{1,2})?", "field.invalid_decimal")], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**7:
            return str(value)
        if not isinstance(value, str):
            raise ValidationError(Msg("field.invalid_decimal"))
        return super()._deserialize(value.strip(), attr, data, **kwargs)


class EmailStr(Pattern):
    def __init__(self, **kwargs):
        super().__init__(r"[^@\s]+@[^@\s]+\.[^@\s]+", 254, "field.invalid_email", **kwargs)


class UrlStr(Pattern):
    def __init__(self, **kwargs):
        super().__init__(r"[hH][tT][tT][pP][sS]?://[^\s<>\"']+", 500, "field.invalid_url", **kwargs)


class Base64Str(Text):
    """Standard base64 text of at most `max_bytes` decoded bytes (checked before decoding)."""

    def __init__(self, max_bytes: int, **kwargs):
        self.max_bytes = max_bytes
        super().__init__(base64_max_length(max_bytes), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and len(value) > base64_max_length(self.max_bytes):
            raise ValidationError(Msg("file.too_large", max_mb=self.max_bytes // 2**20))
        value = super()._deserialize(value, attr, data, **kwargs)
        try:
            decoded = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(Msg("field.invalid_base64")) from None
        if len(decoded) > self.max_bytes:
            raise ValidationError(Msg("file.too_large", max_mb=self.max_bytes // 2**20))
        return value


class StrictSchema(Schema):
    """Rejects unknown fields (marshmallow's default, made explicit) with codes for messages."""
    error_messages = {"unknown": "field.unknown", "type": "field.not_an_object"}


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]
