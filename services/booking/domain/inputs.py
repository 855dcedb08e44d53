"""The checks of the contract's input rules (services/booking/contract/inputs.py), with the one
validation kernel (ims_common.validation): one function per kind, each returning the cleaned value
(text trimmed, establishment codes in capitals; date, time and datetime kinds parsed) or None, with
a code recorded for a wrong value. The gateway refuses the same input before it gets here; these
checks are what every caller of the booking service gets, the gateway or not."""
from __future__ import annotations

import re
from decimal import Decimal

from ims_common import validation as v
from services.booking.contract.inputs import YEARS

CODE = re.compile(r"[A-Z]{2,6}")                           # as in booking ids: ^[A-Z]{2,6}-\d{8}$
URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)   # no javascript: or data: links
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
CHOICE_MAX = 40
CODE_MAX = 10
assert YEARS == v.YEARS


def establishment_code(value) -> str | None:
    if not isinstance(value, str):
        return None
    code = value.strip().upper()
    return code if CODE.fullmatch(code) else None


def _text(rule: dict, value, field: str, errors: v.Errors):
    return v.text(value, field, errors, rule["max"], rule.get("required", False),
                  multiline=rule.get("multiline", False))


def _choice(rule: dict, value, field: str, errors: v.Errors):
    chosen = v.text(value, field, errors, CHOICE_MAX, rule.get("required", False))
    if chosen is not None and chosen not in rule["choices"]:
        errors.add(field, "field.not_one_of")
        return None
    return chosen


def _code(rule: dict, value, field: str, errors: v.Errors):
    raw = v.text(value, field, errors, CODE_MAX, rule.get("required", False))
    if raw is None:
        return None
    code = establishment_code(raw)
    if code is None:
        errors.add(field, "field.invalid_format")
    return code


def _matching(pattern: re.Pattern, code: str):
    def check(rule: dict, value, field: str, errors: v.Errors):
        raw = v.text(value, field, errors, rule["max"], rule.get("required", False))
        if raw is not None and not pattern.fullmatch(raw):
            errors.add(field, code)
            return None
        return raw
    return check


def _identifier(rule: dict, value, field: str, errors: v.Errors):
    return v.text(value, field, errors, rule["max"], rule.get("required", False))


def _date(rule: dict, value, field: str, errors: v.Errors):
    return v.local_date(value, field, errors, rule.get("required", False))


def _time(rule: dict, value, field: str, errors: v.Errors):
    return v.local_time(value, field, errors, rule.get("required", False))


def _datetime(rule: dict, value, field: str, errors: v.Errors):
    return v.aware_datetime(value, field, errors, rule.get("required", False))


def _integer(rule: dict, value, field: str, errors: v.Errors, default=None):
    return v.integer(value, field, errors, rule["min"], rule["max"], rule.get("required", False), default=default)


def _boolean(rule: dict, value, field: str, errors: v.Errors, default=None):
    return v.boolean(value, field, errors, rule.get("required", False), default=default)


def _decimal(rule: dict, value, field: str, errors: v.Errors, default=None):
    return v.decimal_string(value, field, errors, Decimal(rule["max"]), rule.get("places", 2), default=default)


CHECKS = {
    "text": _text, "choice": _choice, "code": _code, "identifier": _identifier,
    "url": _matching(URL, "field.invalid_url"), "email": _matching(EMAIL, "field.invalid_email"),
    "date": _date, "time": _time, "datetime": _datetime,
}
WITH_DEFAULT = {"integer": _integer, "boolean": _boolean, "decimal": _decimal}


def check(rule: dict, value, field: str, errors: v.Errors, default=None):
    """The cleaned value of one field under its rule (None, or `default` for numbers and flags,
    when absent), recording each mistake in `errors`."""
    kind = rule["kind"]
    if kind in WITH_DEFAULT:
        return WITH_DEFAULT[kind](rule, value, field, errors, default)
    return CHECKS[kind](rule, value, field, errors)
