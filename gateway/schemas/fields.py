"""The marshmallow fields of the gateway's request schemas. Each leaf field carries the JSON Schema
fragment the OpenAPI document shows for it (`fragment`), and checks a value with exactly that
fragment (`check_fragment`), so the document and the gateway cannot disagree; a refusal is a message
code (ims_common/messages.py) the gateway answers in the caller's language.

No field coerces: "12" is not an integer, 1 is not a boolean, {"$ne": ""} is not a string (query
strings excepted: ?page=2 is read as the integer 2). Dates stay strings (the services parse them).
An optional field may be null: the services read null as "absent" (and, in a modification, as
"clear this field"), and a client may send back what it read.

Patterns are searches (JSON Schema's reading) anchored at both ends; they end with END, a true end
of the text, because "$" also matches before a final line break. They spell their character classes
out ([0-9], not \\d): validators and generators read \\d and \\s differently."""
from __future__ import annotations

import base64
import binascii
import re
from typing import Callable

from marshmallow import Schema, ValidationError, fields, validate

from ims_common.files import base64_max_length

SHORT = 200       # names, labels, codes (the booking and auth domains' limits)
LONG = 2000       # free text: notes, comments, details
END = r"(?![\s\S])"
CONTROL = r"\x00-\x1f\x7f"                              # what a one-line text may not hold
CONTROL_MULTILINE = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"   # tabs and line breaks allowed
SPACE = r"\x09-\x0d\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"   # str.isspace()
DAY = (r"20[0-9]{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
       r"|02-(?:0[1-9]|1[0-9]|2[0-8]))|20(?:[02468][048]|[13579][26])-02-29")   # a real day, 2000..2099
HHMM = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
OFFSET = r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])"
DATETIME = rf"(?:{DAY})[Tt ]{HHMM}(?::[0-5][0-9](?:\.[0-9]{{1,6}})?)?{OFFSET}"
BASE64 = r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})"


class Msg(str):
    """A message code carrying its str.format params through marshmallow's error dicts."""

    def __new__(cls, code: str, **params):
        obj = super().__new__(cls, code)
        obj.params = params
        return obj


class Beyond(Msg):
    """A refusal by a rule the document cannot state (an order between two fields): the input matches
    the document, so the gateway answers 422, not 400 (gateway/validation.py)."""


def anchored(pattern: str) -> str:
    return f"^(?:{pattern}){END}"


def text_pattern(*, required: bool, multiline: bool) -> str:
    """No control characters (but tabs and line breaks when multiline); when required, at least one
    character that is not a space (the services trim text)."""
    allowed = f"[^{CONTROL_MULTILINE if multiline else CONTROL}]"
    if not required:
        return anchored(f"{allowed}*")
    visible = f"[^{SPACE}{CONTROL}]"
    return anchored(f"{allowed}*{visible}{allowed}*")


# ---- the fragment check: the JSON Schema keywords the leaves use, read as JSON Schema reads them --

_TYPES: dict[str, Callable[[object], bool]] = {
    "string": lambda x: isinstance(x, str),
    "integer": lambda x: isinstance(x, int) and not isinstance(x, bool),
    "number": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
    "boolean": lambda x: isinstance(x, bool),
}


def fragment_error(fragment: dict, value) -> str | None:
    """The first keyword of `fragment` that `value` breaks, or None when it is valid."""
    if "anyOf" in fragment:
        return None if any(fragment_error(part, value) is None for part in fragment["anyOf"]) else "anyOf"
    kind = fragment.get("type")
    if kind and not _TYPES[kind](value):
        return "type"
    if "enum" in fragment and not any(value == c and type(value) is type(c) for c in fragment["enum"]):
        return "enum"
    if isinstance(value, str):
        if "maxLength" in fragment and len(value) > fragment["maxLength"]:
            return "maxLength"
        if "minLength" in fragment and len(value) < fragment["minLength"]:
            return "minLength"
        if "pattern" in fragment and re.search(fragment["pattern"], value) is None:
            return "pattern"
    elif _TYPES["number"](value):
        if "minimum" in fragment and value < fragment["minimum"]:
            return "minimum"
        if "maximum" in fragment and value > fragment["maximum"]:
            return "maximum"
    return None


_COMMON = {"required": "field.required", "null": "field.null", "validator_failed": "field.invalid"}
_TYPE_CODES = {"string": "field.not_a_string", "integer": "field.not_an_integer", "number": "field.not_a_number",
               "boolean": "field.not_a_boolean"}


class Leaf(fields.Field):
    """A value checked against its fragment. `codes` maps a broken keyword to a message code."""
    default_error_messages = _COMMON
    fragment: dict = {}
    codes: dict[str, str] = {}

    def __init__(self, fragment: dict | None = None, codes: dict[str, str] | None = None, **kwargs):
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        metadata = dict(kwargs.pop("metadata", {}) or {})
        for key in ("description", "example"):
            if key in kwargs:
                metadata[key] = kwargs.pop(key)
        super().__init__(metadata=metadata, **kwargs)
        self.fragment = dict(fragment if fragment is not None else self.fragment)
        self.codes = {**self.codes, **(codes or {})}

    def code_for(self, keyword: str, value) -> Msg:
        if keyword == "type":
            return Msg(self.codes.get("type") or _TYPE_CODES.get(self.fragment.get("type"), "field.invalid"))
        if keyword in ("minimum", "maximum"):
            return Msg(self.codes.get(keyword, "field.out_of_range"),
                       min=self.fragment.get("minimum"), max=self.fragment.get("maximum"))
        if keyword in ("maxLength", "minLength"):
            default = "field.too_long" if keyword == "maxLength" else "field.too_short"
            return Msg(self.codes.get(keyword, default), min=self.fragment.get("minLength"),
                       max=self.fragment.get("maxLength"))
        if keyword == "enum":
            choices = ", ".join(str(c) for c in self.fragment["enum"])
            return Msg(self.codes.get("enum", "field.not_one_of"), choices=choices, types=choices)
        code = self.codes.get(keyword, "field.invalid_format" if keyword == "pattern" else "field.invalid")
        return Msg(code(value) if callable(code) else code)

    def coerce(self, value):
        return value

    def clean(self, value):
        """The value the service gets (the fragment is already satisfied)."""
        return value

    def _deserialize(self, value, attr, data, **kwargs):
        value = self.coerce(value)
        keyword = fragment_error(self.fragment, value)
        if keyword is not None:
            raise ValidationError(self.code_for(keyword, value))
        return self.clean(value)


def _text_code(multiline: bool):
    forbidden = re.compile(f"[{CONTROL_MULTILINE if multiline else CONTROL}]")
    return lambda value: "field.invalid_characters" if forbidden.search(value) else "field.required"


class Text(Leaf):
    """A string of at most max_length characters without control characters (tabs and line breaks
    when multiline); with a min_length, not blank either (the services trim text)."""

    def __init__(self, max_length: int = SHORT, *, min_length: int | None = None, multiline: bool = True,
                 **kwargs):
        fragment = {"type": "string", "maxLength": max_length,
                    "pattern": text_pattern(required=bool(min_length), multiline=multiline)}
        if min_length:
            fragment["minLength"] = min_length
        super().__init__(fragment, {"pattern": _text_code(multiline)}, **kwargs)


class Pattern(Leaf):
    """A short string matching a regular expression (codes, identifiers), searched as anchored."""

    def __init__(self, pattern: str, max_length: int = 64, code: str = "field.invalid_format", **kwargs):
        super().__init__({"type": "string", "maxLength": max_length, "pattern": anchored(pattern)},
                         {"pattern": code}, **kwargs)


class Choice(Leaf):
    def __init__(self, choices, code: str = "field.not_one_of", **kwargs):
        super().__init__({"type": "string", "enum": list(choices)}, {"enum": code}, **kwargs)


class Int(Leaf):
    """An integer in min_value..max_value; strict=False also reads the digits of a query string."""

    def __init__(self, min_value: int = 0, max_value: int = 1_000_000, *, strict: bool = True, **kwargs):
        super().__init__({"type": "integer", "minimum": min_value, "maximum": max_value}, **kwargs)
        self.strict = strict

    def coerce(self, value):
        if not self.strict and isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]{1,19}", value.strip()):
            return int(value)
        return value


class Bool(Leaf):
    fragment = {"type": "boolean"}


class Const(Leaf):
    """The one value a flag may take, e.g. {"all_qualified": true}."""

    def __init__(self, value, **kwargs):
        super().__init__({"type": type(value).__name__.replace("bool", "boolean").replace("str", "string"),
                          "enum": [value]}, {"enum": "field.invalid"}, **kwargs)


class DateStr(Leaf):
    """YYYY-MM-DD, a real day of the years 2000..2099."""
    fragment = {"type": "string", "pattern": anchored(DAY)}
    codes = {"pattern": "field.invalid_date"}

    def __init__(self, **kwargs):
        kwargs.setdefault("example", "2025-09-01")
        super().__init__(**kwargs)


class TimeStr(Leaf):
    fragment = {"type": "string", "pattern": anchored(HHMM)}
    codes = {"pattern": "field.invalid_time"}

    def __init__(self, **kwargs):
        kwargs.setdefault("example", "09:30")
        super().__init__(**kwargs)


class DateTimeStr(Leaf):
    """ISO 8601 date and time with a UTC offset (or Z): a local time without one is ambiguous."""
    fragment = {"type": "string", "pattern": anchored(DATETIME)}
    codes = {"pattern": "field.invalid_datetime"}

    def __init__(self, **kwargs):
        kwargs.setdefault("example", "2025-09-01T09:30:00-04:00")
        super().__init__(**kwargs)


def decimal_fragment(max_value: int, places: int = 2) -> dict:
    """A non-negative decimal up to max_value (a digit and zeros: 5000, 1000000) as text ("12.5",
    "12,5", at most `places` decimals) or a whole number: distances and money never go through float."""
    top = str(max_value)
    assert top[0] != "0" and set(top[1:]) <= {"0"}, max_value
    below = [f"[0-9]{{1,{len(top) - 1}}}"] if len(top) > 1 else []
    if top[0] != "1":
        below.append(f"[1-{int(top[0]) - 1}][0-9]{{{len(top) - 1}}}")
    text = f"(?:{'|'.join(below)})(?:[.,][0-9]{{1,{places}}})?|{top}(?:[.,]0{{1,{places}}})?"
    return {"anyOf": [{"type": "integer", "minimum": 0, "maximum": max_value},
                      {"type": "string", "maxLength": 20, "pattern": anchored(text)}]}


class DecimalStr(Leaf):
    codes = {"anyOf": "field.invalid_decimal"}

    def __init__(self, max_value: int = 1_000_000, places: int = 2, **kwargs):
        super().__init__(decimal_fragment(max_value, places), **kwargs)

    def clean(self, value):
        return str(value) if isinstance(value, int) else value.strip()


class EmailStr(Pattern):
    def __init__(self, **kwargs):
        super().__init__(rf"[^@{SPACE}{CONTROL}]+@[^@{SPACE}{CONTROL}]+\.[^@{SPACE}{CONTROL}]+", 254,
                         "field.invalid_email", **kwargs)


class UrlStr(Pattern):
    def __init__(self, max_length: int = 500, **kwargs):
        super().__init__(rf"[hH][tT][tT][pP][sS]?://[^{SPACE}{CONTROL}<>\"']+", max_length, "field.invalid_url",
                         **kwargs)


class Base64Str(Leaf):
    """Standard base64 text of 1 to `max_bytes` decoded bytes (its length checked before decoding)."""

    def __init__(self, max_bytes: int, **kwargs):
        self.max_bytes = max_bytes
        fragment = {"type": "string", "minLength": 4, "maxLength": base64_max_length(max_bytes),
                    "pattern": anchored(BASE64)}
        super().__init__(fragment, {"pattern": "field.invalid_base64", "minLength": "field.required",
                                    "maxLength": "file.too_large"}, **kwargs)

    def code_for(self, keyword: str, value) -> Msg:
        if keyword == "maxLength":
            return Msg("file.too_large", max_mb=self.max_bytes // 2**20)
        return super().code_for(keyword, value)

    def clean(self, value):
        try:
            size = len(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):        # the pattern already excludes these
            raise ValidationError(Msg("field.invalid_base64")) from None
        if size > self.max_bytes:
            raise ValidationError(Msg("file.too_large", max_mb=self.max_bytes // 2**20))
        return value


class Range(validate.Range):
    """marshmallow's Range with a message code, for fields that are not leaves (apispec documents it)."""

    def _format_error(self, value, message):
        return Msg("field.out_of_range", min=self.min, max=self.max)


class ListOf(fields.List):
    default_error_messages = {**_COMMON, "invalid": "field.not_a_list"}

    def __init__(self, inner, *, max_items: int = 100, min_items: int | None = None, **kwargs):
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        super().__init__(inner, **kwargs)
        self.inner.allow_none = False  # the list may be null, its items may not
        self.min_items, self.max_items = min_items, max_items

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list):
            raise self.make_error("invalid")
        if len(value) > self.max_items:
            raise ValidationError(Msg("field.too_many", min=self.min_items, max=self.max_items))
        if self.min_items and len(value) < self.min_items:
            raise ValidationError(Msg("field.too_few", min=self.min_items, max=self.max_items))
        return super()._deserialize(value, attr, data, **kwargs)


class Obj(fields.Nested):
    default_error_messages = {**_COMMON, "type": "field.not_an_object"}

    def __init__(self, nested, **kwargs):
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        super().__init__(nested, **kwargs)


class StrictSchema(Schema):
    """Rejects unknown fields (marshmallow's default, made explicit) with codes for messages."""
    error_messages = {"unknown": "field.unknown", "type": "field.not_an_object"}


class QuerySchema(StrictSchema):
    """Query parameters: a parameter is given or not, never null."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.allow_none = False


def leaf_properties(converter, field, ret, **kwargs) -> dict:
    """apispec attribute function: a leaf is documented by its own fragment, nothing guessed."""
    for part in ret.get("anyOf") or ():
        # apispec's nullable object: {"type": "object", "nullable": true} beside the $ref, which any
        # object matches; only null is meant.
        if part == {"type": "object", "nullable": True}:
            part["enum"] = [None]
    if not isinstance(field, Leaf):
        if isinstance(field, ListOf):
            limits = {"maxItems": field.max_items}
            if field.min_items:
                limits["minItems"] = field.min_items
            return limits
        return {}
    for key in ("type", "format", "pattern", "maxLength", "minLength", "minimum", "maximum", "enum"):
        ret.pop(key, None)
    out = dict(field.fragment)
    if field.allow_none:
        if "anyOf" in out:
            out["nullable"] = True
            out["anyOf"] = [dict(part, nullable=True) for part in out["anyOf"]]
        else:
            out["nullable"] = True
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
    return out
