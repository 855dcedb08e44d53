"""Booking numbers: establishment prefix, two-digit year, day of year, sequence of the day.
HC-24240002 = establishment HC, 2024, day 240, second booking of that day for HC."""
from __future__ import annotations

import re
from datetime import datetime

from ims_common.errors import Conflict

from ims_common.times import local_today

MAX_SEQUENCE = 999
NUMBER = re.compile(r"[A-Z][A-Z0-9]{0,9}-\d{8}")


def day_key(prefix: str, now: datetime) -> str:
    """'HC-24240': the number without its sequence (creation date in Montreal)."""
    today = local_today(now)
    return f"{prefix}-{today.year % 100:02d}{today.timetuple().tm_yday:03d}"


def number(prefix: str, now: datetime, sequence: int) -> str:
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise Conflict("booking.number_exhausted", {"prefix": prefix})
    return f"{day_key(prefix, now)}{sequence:03d}"


def is_number(value) -> bool:
    return isinstance(value, str) and NUMBER.fullmatch(value) is not None


def stream_id(booking_number: str) -> str:
    return f"booking-{booking_number}"
