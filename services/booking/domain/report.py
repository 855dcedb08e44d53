"""The service report ("Détails de l'achèvement"): two forms, provided or not provided.

Plausibility refused here, whatever the pay policy says (payroll flags what is merely unusual under
its policy's window; docs/contracts.md): no time of the report may lie in the future of the moment
it is recorded (actual start and end, the cancellation time, each communication), beyond a few
minutes of clock skew; and for a timed service the actual start lies within SLOT_WINDOW of the
planned start (a service reported for another day is a mistake, not overtime)."""
from __future__ import annotations

from datetime import datetime, timedelta

from ims_common import validation as v
from ims_common.times import iso_z
from services.booking.contract.inputs import (
    COMMUNICATION, COMMUNICATIONS, REPORT_COMMON, REPORT_MAX_HOURS, REPORT_NOT_PROVIDED, REPORT_PROVIDED,
)

from .inputs import check

MAX_COMMUNICATIONS = COMMUNICATIONS["max_items"]
COMMUNICATION_FIELDS = tuple(COMMUNICATION["fields"])
DERIVED = ("actual_minutes",)   # computed here; accepted back (a client may resend what it read)
PROVIDED = tuple(name for name in REPORT_PROVIDED if name not in DERIVED)
NOT_PROVIDED = tuple(name for name in REPORT_NOT_PROVIDED if name not in DERIVED)
COUNTS = ("wait_minutes", "travel_minutes", "words", "other_fees_cents")
CLOCK_SKEW = timedelta(minutes=5)
SLOT_WINDOW = timedelta(hours=24)


def _not_future(moment: datetime | None, field: str, errors: v.Errors, now: datetime | None) -> None:
    if moment is not None and now is not None and moment > now + CLOCK_SKEW:
        errors.add(field, "field.future")


def check_communications(value, errors: v.Errors, field: str = "communications",
                         now: datetime | None = None) -> list[dict]:
    """Billable communications outside the service: one line each (date-time, purpose, asked by),
    each made before `now` (when given: the moment they are recorded)."""
    if value is None:
        return []
    if not isinstance(value, list):
        errors.add(field, "field.not_a_list")
        return []
    if len(value) > MAX_COMMUNICATIONS:
        errors.add(field, "field.too_many")
        return []
    rules = COMMUNICATION["fields"]
    lines = []
    for i, item in enumerate(value):
        prefix = f"{field}.{i}."
        if not isinstance(item, dict):
            errors.add(f"{field}.{i}", "field.not_an_object")
            continue
        v.reject_unknown(item, COMMUNICATION_FIELDS, errors, prefix)
        at = check(rules["at"], item.get("at"), prefix + "at", errors)
        _not_future(at, prefix + "at", errors, now)
        lines.append({
            "at": iso_z(at) if at else None,
            "purpose": check(rules["purpose"], item.get("purpose"), prefix + "purpose", errors),
            "requested_by": check(rules["requested_by"], item.get("requested_by"), prefix + "requested_by", errors),
        })
    return lines


def _common(raw: dict, errors: v.Errors, now: datetime | None) -> dict:
    common = {name: check(REPORT_COMMON[name], raw.get(name), name, errors, default=0) for name in COUNTS}
    return {
        "wait_minutes": common["wait_minutes"],
        "distance_km": check(REPORT_COMMON["distance_km"], raw.get("distance_km"), "distance_km", errors,
                             default="0.00"),
        "travel_minutes": common["travel_minutes"],
        "communications": check_communications(raw.get("communications"), errors, now=now),
        "words": common["words"],
        "other_fees_cents": common["other_fees_cents"],
        "comments": check(REPORT_COMMON["comments"], raw.get("comments"), "comments", errors),
    }


def check_report(raw, planned_minutes: int | None, now: datetime | None = None,
                 slot_start: datetime | None = None) -> dict:
    """The normalized report, or ValidationFailed. Counts default to 0 and lists to []; an
    overtime reason is required when the actual duration exceeds the planned one. `now` (the
    moment it is recorded) and `slot_start` (a timed service's planned start) check plausibility."""
    raw = v.require_object(raw)
    errors = v.Errors()
    provided = check(REPORT_COMMON["provided"], raw.get("provided"), "provided", errors)
    if provided is None:
        errors.raise_if_any()
    v.reject_unknown(raw, (PROVIDED if provided else NOT_PROVIDED) + DERIVED, errors)
    report = {"provided": provided, **_common(raw, errors, now)}
    if provided:
        rules = REPORT_PROVIDED
        start = check(rules["actual_start"], raw.get("actual_start"), "actual_start", errors)
        end = check(rules["actual_end"], raw.get("actual_end"), "actual_end", errors)
        overtime = check(rules["overtime_reason"], raw.get("overtime_reason"), "overtime_reason", errors)
        _not_future(start, "actual_start", errors, now)
        _not_future(end, "actual_end", errors, now)
        if start and slot_start and abs(start - slot_start) > SLOT_WINDOW \
                and "actual_start" not in errors.fields:
            errors.add("actual_start", "report.far_from_slot")
        minutes = None
        if start and end:
            seconds = (end - start).total_seconds()
            if seconds <= 0:
                errors.add("actual_end", "field.date_order")
            elif seconds > REPORT_MAX_HOURS * 3600:
                errors.add("actual_end", "report.too_long")
            else:
                minutes = int(seconds // 60)
                if planned_minutes is not None and minutes > planned_minutes and overtime is None \
                        and "overtime_reason" not in errors.fields:
                    errors.add("overtime_reason", "report.overtime_reason_required")
        report.update(
            actual_start=iso_z(start) if start else None, actual_end=iso_z(end) if end else None,
            actual_minutes=minutes, overtime_reason=overtime,
            additional_service=check(rules["additional_service"], raw.get("additional_service"),
                                     "additional_service", errors, default=False))
    else:
        rules = REPORT_NOT_PROVIDED
        cancelled_at = check(rules["cancelled_at"], raw.get("cancelled_at"), "cancelled_at", errors)
        _not_future(cancelled_at, "cancelled_at", errors, now)
        report.update(
            reason=check(rules["reason"], raw.get("reason"), "reason", errors),
            detailed_reason=check(rules["detailed_reason"], raw.get("detailed_reason"), "detailed_reason", errors),
            cancelled_at=iso_z(cancelled_at) if cancelled_at else None)
    errors.raise_if_any()
    return report
