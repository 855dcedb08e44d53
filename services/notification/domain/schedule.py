"""When timed messages are due, and the keys that make each one happen once: a reminder 24 h
before a booking's start, a notice 30 days before an eligibility document expires (08:00 in
Montreal), and the coordinators' daily digest of bookings still unfilled within 48 h."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ims_common.times import MONTREAL, parse_iso

REMINDER_BEFORE = timedelta(hours=24)
EXPIRY_NOTICE = timedelta(days=30)
EXPIRY_NOTICE_AT = time(8, 0)
UNFILLED_WINDOW = timedelta(hours=48)
REMINDED_STATUSES = ("booked", "modified")


def reminder(booking: dict) -> tuple[str, datetime, dict] | None:
    """(key, due, fields) of the booking's reminder, or None when there is nothing to remind."""
    interpreter_id, start = booking.get("assigned_interpreter_id"), booking.get("start_at")
    if not interpreter_id or not start or booking.get("status") in ("cancelled", "closed"):
        return None
    key = f"reminder:{booking['id']}:{interpreter_id}:{start}"
    return key, parse_iso(start) - REMINDER_BEFORE, {"booking_id": booking["id"], "user_id": interpreter_id,
                                                     "start_at": start}


def reminder_still_stands(booking: dict | None, timer: dict, now: datetime) -> bool:
    """The booking has not moved on since the reminder was set: same interpreter, same start, still
    to come, still booked."""
    if not booking:
        return False
    return booking.get("assigned_interpreter_id") == timer["user_id"] \
        and booking.get("start_at") == timer["start_at"] and parse_iso(timer["start_at"]) > now \
        and booking.get("status") in REMINDED_STATUSES


def expiry_notices(profile: dict, today: date) -> list[tuple[str, datetime, dict]]:
    """(key, due, fields) for each eligibility document of the profile still to expire."""
    out = []
    for doc in profile.get("eligibility_documents") or []:
        try:
            expires = date.fromisoformat(doc.get("expires_on") or "")
        except (TypeError, ValueError):
            continue
        if expires < today:
            continue
        key = f"document:{profile['user_id']}:{doc.get('id') or doc.get('name')}:{expires.isoformat()}"
        due = datetime.combine(expires - EXPIRY_NOTICE, EXPIRY_NOTICE_AT, MONTREAL)
        out.append((key, due, {"user_id": profile["user_id"], "document": doc.get("name") or "",
                               "expires_on": expires.isoformat()}))
    return out


def digest(today: date, at: time) -> tuple[str, datetime]:
    return f"digest:{today.isoformat()}", datetime.combine(today, at, MONTREAL)
