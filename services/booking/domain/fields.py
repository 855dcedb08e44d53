"""The fields of a booking (creation and modification), their checks, and its time slot."""
from __future__ import annotations

from datetime import date, time, timedelta

from ims_common import validation as v
from ims_common.times import day_bounds, iso_z, local_moment
from services.booking.contract.inputs import FIELDS as RULES, FIXED, SCHEDULES
from services.booking.contract.vocabulary import BOOKING_FIELDS, DUE_DATE_MODES, MODES, TIMED_MODES  # noqa: F401

from .inputs import check, establishment_code  # noqa: F401  (establishment_code: booking.py)

TIMING_FIELDS = ("date", "start_time", "duration_minutes", "due_date")
FIELDS = BOOKING_FIELDS
REQUIRED = tuple(name for name, rule in RULES.items() if rule.get("required"))
TIMED_REQUIRED = SCHEDULES["timed"]["required"]


def _check_one(name: str, value, errors: v.Errors):
    """One field, cleaned: dates as YYYY-MM-DD, times as HH:MM."""
    cleaned = check(RULES[name], value, name, errors)
    if cleaned is None:
        return None
    if name in ("date", "due_date"):
        return cleaned.isoformat()
    if name == "start_time":
        return cleaned.strftime("%H:%M")
    return cleaned


def _slot(fields: dict, errors: v.Errors) -> dict:
    """start_at/end_at (UTC) from the local date, time and duration, or from the due date.
    Timing fields that do not apply to the mode are cleared so a mode change leaves no stale slot."""
    if fields["mode"] in DUE_DATE_MODES:
        fields.update(date=None, start_time=None, duration_minutes=None)
        if fields["due_date"] is None:
            if "due_date" not in errors.fields:
                errors.add("due_date", "field.required")
            return {}
        first, last = day_bounds(date.fromisoformat(fields["due_date"]))
        return {"start_at": iso_z(first), "end_at": iso_z(last)}
    fields["due_date"] = None
    missing = [n for n in TIMED_REQUIRED if fields[n] is None]
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
    for name in FIXED:
        if name in payload and establishment_code(payload[name]) != current[name]:
            errors.add(name, "field.readonly")
    errors.raise_if_any()
    merged = {name: current.get(name) for name in FIELDS}
    merged.update(payload)
    fields, slot = check_booking(merged)
    changes = {name: fields[name] for name in FIELDS if fields[name] != current.get(name)}
    for name, value in slot.items():
        if value != current.get(name):
            changes[name] = value
    return changes
