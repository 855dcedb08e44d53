"""The service report ("Détails de l'achèvement"): two forms, provided or not provided."""
from __future__ import annotations

from decimal import Decimal

from ims_common import validation as v
from ims_common.times import iso_z

MAX_COMMUNICATIONS = 50
COMMON = ("provided", "wait_minutes", "distance_km", "travel_minutes", "communications", "words",
          "other_fees_cents", "comments")
PROVIDED = COMMON + ("actual_start", "actual_end", "overtime_reason", "additional_service")
NOT_PROVIDED = COMMON + ("reason", "detailed_reason", "cancelled_at")
DERIVED = ("actual_minutes",)   # computed here; accepted back (a client may resend what it read)
COMMUNICATION_FIELDS = ("at", "purpose", "requested_by")


def check_communications(value, errors: v.Errors, field: str = "communications") -> list[dict]:
    """Billable communications outside the service: one line each (date-time, purpose, asked by)."""
    if value is None:
        return []
    if not isinstance(value, list):
        errors.add(field, "field.not_a_list")
        return []
    if len(value) > MAX_COMMUNICATIONS:
        errors.add(field, "field.too_many")
        return []
    lines = []
    for i, item in enumerate(value):
        prefix = f"{field}.{i}."
        if not isinstance(item, dict):
            errors.add(f"{field}.{i}", "field.not_an_object")
            continue
        v.reject_unknown(item, COMMUNICATION_FIELDS, errors, prefix)
        at = v.aware_datetime(item.get("at"), prefix + "at", errors, required=True)
        lines.append({
            "at": iso_z(at) if at else None,
            "purpose": v.text(item.get("purpose"), prefix + "purpose", errors, v.SHORT, required=True),
            "requested_by": v.text(item.get("requested_by"), prefix + "requested_by", errors, v.SHORT),
        })
    return lines


def _common(raw: dict, errors: v.Errors) -> dict:
    return {
        "wait_minutes": v.integer(raw.get("wait_minutes"), "wait_minutes", errors, 0, 1440, default=0),
        "distance_km": v.decimal_string(raw.get("distance_km"), "distance_km", errors, Decimal(5000),
                                        default="0.00"),
        "travel_minutes": v.integer(raw.get("travel_minutes"), "travel_minutes", errors, 0, 1440, default=0),
        "communications": check_communications(raw.get("communications"), errors),
        "words": v.integer(raw.get("words"), "words", errors, 0, 1_000_000, default=0),
        "other_fees_cents": v.integer(raw.get("other_fees_cents"), "other_fees_cents", errors, 0,
                                      1_000_000, default=0),
        "comments": v.text(raw.get("comments"), "comments", errors, v.LONG, multiline=True),
    }


def check_report(raw, planned_minutes: int | None) -> dict:
    """The normalized report, or ValidationFailed. Counts default to 0 and lists to []; an
    overtime reason is required when the actual duration exceeds the planned one."""
    raw = v.require_object(raw)
    errors = v.Errors()
    provided = v.boolean(raw.get("provided"), "provided", errors, required=True)
    if provided is None:
        errors.raise_if_any()
    v.reject_unknown(raw, (PROVIDED if provided else NOT_PROVIDED) + DERIVED, errors)
    report = {"provided": provided, **_common(raw, errors)}
    if provided:
        start = v.aware_datetime(raw.get("actual_start"), "actual_start", errors, required=True)
        end = v.aware_datetime(raw.get("actual_end"), "actual_end", errors, required=True)
        overtime = v.text(raw.get("overtime_reason"), "overtime_reason", errors, v.LONG, multiline=True)
        minutes = None
        if start and end:
            seconds = (end - start).total_seconds()
            if seconds <= 0:
                errors.add("actual_end", "field.date_order")
            elif seconds > 24 * 3600:
                errors.add("actual_end", "report.too_long")
            else:
                minutes = int(seconds // 60)
                if planned_minutes is not None and minutes > planned_minutes and overtime is None \
                        and "overtime_reason" not in errors.fields:
                    errors.add("overtime_reason", "report.overtime_reason_required")
        report.update(
            actual_start=iso_z(start) if start else None, actual_end=iso_z(end) if end else None,
            actual_minutes=minutes, overtime_reason=overtime,
            additional_service=v.boolean(raw.get("additional_service"), "additional_service", errors,
                                         default=False))
    else:
        cancelled_at = v.aware_datetime(raw.get("cancelled_at"), "cancelled_at", errors, required=True)
        report.update(
            reason=v.text(raw.get("reason"), "reason", errors, v.SHORT, required=True),
            detailed_reason=v.text(raw.get("detailed_reason"), "detailed_reason", errors, v.LONG, multiline=True),
            cancelled_at=iso_z(cancelled_at) if cancelled_at else None)
    errors.raise_if_any()
    return report
