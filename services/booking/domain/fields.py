"""The fields of a booking (creation and modification), their checks, and its time slot."""
from __future__ import annotations

import re
from datetime import date, time, timedelta

from ims_common.times import day_bounds, iso_z, local_moment
from services.booking.contract.vocabulary import BOOKING_FIELDS, DUE_DATE_MODES, MODES, TIMED_MODES  # noqa: F401

from ims_common import validation as v

TIMING_FIELDS = ("date", "start_time", "duration_minutes", "due_date")

# field -> max length for free text; other kinds are checked by name below.
TEXT_FIELDS = {
    "source_language": v.SHORT, "target_language": v.SHORT, "context": v.SHORT,
    "context_details": v.LONG, "facility": v.SHORT, "address": 500, "appointment_location": v.SHORT,
    "cost_center": 50, "cost_center_description": v.SHORT, "video_platform": v.SHORT,
    "video_secret": v.SHORT, "requester_name": v.SHORT, "requester_phone": 50,
    "note_to_interpreter": v.LONG, "message_to_interpreter": v.LONG, "comments": v.LONG,
}
FIELDS = BOOKING_FIELDS
MULTILINE = {name for name, size in TEXT_FIELDS.items() if size > v.SHORT}   # details, notes, address
assert set(FIELDS) == set(TEXT_FIELDS) | {"mode", "establishment", "video_link", "requester_email", *TIMING_FIELDS}
REQUIRED = ("source_language", "target_language", "mode", "establishment")

ESTABLISHMENT = re.compile(r"[A-Z]{2,6}")  # as in booking ids: ^[A-Z]{2,6}-\d{8}$
URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)   # no javascript: or data: links
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def establishment_code(value) -> str | None:
    if not isinstance(value, str):
        return None
    code = value.strip().upper()
    return code if ESTABLISHMENT.fullmatch(code) else None


def _check_one(name: str, value, errors: v.Errors):
    required = name in REQUIRED
    if name in TEXT_FIELDS:
        return v.text(value, name, errors, TEXT_FIELDS[name], required, multiline=name in MULTILINE)
    if name == "mode":
        mode = v.text(value, name, errors, 40, required)
        if mode is not None and mode not in MODES:
            errors.add(name, "field.not_one_of")
            return None
        return mode
    if name == "establishment":
        raw = v.text(value, name, errors, 10, required)
        if raw is None:
            return None
        code = establishment_code(raw)
        if code is None:
            errors.add(name, "field.invalid_format")
        return code
    if name == "video_link":
        link = v.text(value, name, errors, 500)
        if link is not None and not URL.fullmatch(link):
            errors.add(name, "field.invalid_url")
            return None
        return link
    if name == "requester_email":
        email = v.text(value, name, errors, 254)
        if email is not None and not EMAIL.fullmatch(email):
            errors.add(name, "field.invalid_email")
            return None
        return email
    if name in ("date", "due_date"):
        day = v.local_date(value, name, errors)
        return day.isoformat() if day else None
    if name == "start_time":
        at = v.local_time(value, name, errors)
        return at.strftime("%H:%M") if at else None
    if name == "duration_minutes":
        return v.integer(value, name, errors, 15, 720)
    raise AssertionError(name)  # pragma: no cover


def _slot(fields: dict, errors: v.Errors) -> dict:
    """start_at/end_at (UTC) from the local date, time and duration, or from the due date.
    Timing fields that do not apply to the mode are cleared so a mode change leaves no stale slot."""
    if fields["mode"] in DUE_DATE_MODES:
        fields.update(date=None, start_time=None, duration_minutes=None)
        if fields["due_date"] is None:
            if "due_date" not in errors.fields:
                errors.add("due_date", "field.required")
            return {}
        start, end = day_bounds(date.fromisoformat(fields["due_date"]))
        return {"start_at": iso_z(start), "end_at": iso_z(end)}
    fields["due_date"] = None
    missing = [n for n in ("date", "start_time", "duration_minutes") if fields[n] is None]
    for name in missing:
        if name not in errors.fields:
            errors.add(name, "field.required")
    if missing:
        return {}
    start = local_moment(date.fromisoformat(fields["date"]), time.fromisoformat(fields["start_time"]))
    if start is None:
        errors.add("start_time", "time.nonexistent")
        return {}
    end = start + timedelta(minutes=fields["duration_minutes"])
    return {"start_at": iso_z(start), "end_at": iso_z(end)}


def check_booking(raw: dict) -> tuple[dict, dict]:
    """Every field of a booking checked together: (fields, {"start_at", "end_at"}).
    Raises ValidationFailed naming each bad field."""
    raw = v.require_object(raw)
    errors = v.Errors()
    v.reject_unknown(raw, FIELDS, errors)
    fields = {name: _check_one(name, raw.get(name), errors) for name in FIELDS}
    slot = _slot(fields, errors) if fields["mode"] else {}
    errors.raise_if_any()
    return fields, slot


def check_changes(current: dict, payload: dict) -> dict:
    """The fields a modification really changes (plus a new start_at/end_at), checked as a whole
    booking. The establishment is fixed at creation: the booking number is built from it."""
    payload = v.require_object(payload)
    errors = v.Errors()
    v.reject_unknown(payload, FIELDS, errors)
    if "establishment" in payload and establishment_code(payload["establishment"]) != current["establishment"]:
        errors.add("establishment", "field.readonly")
    errors.raise_if_any()
    merged = {name: current.get(name) for name in FIELDS}
    merged.update(payload)
    fields, slot = check_booking(merged)
    changes = {name: fields[name] for name in FIELDS if fields[name] != current.get(name)}
    for name, value in slot.items():
        if value != current.get(name):
            changes[name] = value
    return changes
