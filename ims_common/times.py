"""Time for every part of IMS: stored in UTC as ISO 8601 strings with a "Z", shown and reasoned about
in the bank's local time (America/Montreal). The one module that writes and reads those strings."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

MONTREAL = ZoneInfo("America/Montreal")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso_z(moment: datetime, precision: str = "seconds") -> str:
    """UTC with a 'Z' suffix: these strings sort in time order. precision: "seconds" (booking
    times, what people see) or "microseconds" (event envelopes, where order within a second counts)."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no place in IMS: give it a time zone")
    utc = moment.astimezone(timezone.utc)
    if precision == "seconds":
        utc = utc.replace(microsecond=0)
    return utc.isoformat(timespec=precision).replace("+00:00", "Z")


def utc_now_iso(precision: str = "microseconds") -> str:
    return iso_z(utc_now(), precision)


def parse_iso(value: str) -> datetime:
    """An aware datetime from ISO 8601 ('Z' or an offset); a naive value is read as UTC.
    Raises ValueError for anything else."""
    if not isinstance(value, str):
        raise ValueError(f"not an ISO 8601 time: {value!r}")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def parse_iso_or_none(value) -> datetime | None:
    try:
        return parse_iso(value) if value else None
    except ValueError:
        return None


def local(moment: datetime) -> datetime:
    return moment.astimezone(MONTREAL)


def local_moment(day: date, at: time) -> datetime | None:
    """The aware moment of a Montreal wall-clock time, or None when that time does not exist
    (the hour skipped when daylight saving time starts)."""
    moment = datetime.combine(day, at, tzinfo=MONTREAL)
    round_trip = moment.astimezone(timezone.utc).astimezone(MONTREAL)
    if round_trip.replace(tzinfo=None) != moment.replace(tzinfo=None):
        return None
    return moment


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Start of a local day and start of the next one (a due date covers the whole day)."""
    start = datetime.combine(day, time(0, 0), tzinfo=MONTREAL)
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=MONTREAL)
    return start, end


def local_date_of(utc_iso: str) -> str:
    """The Montreal calendar day (YYYY-MM-DD) of a stored UTC time."""
    return parse_iso(utc_iso).astimezone(MONTREAL).date().isoformat()


def local_today(now: datetime) -> date:
    return now.astimezone(MONTREAL).date()


def format_local(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time (string or datetime) as Montreal wall-clock text; '' when absent or unreadable."""
    moment = value if isinstance(value, datetime) else parse_iso_or_none(value)
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(MONTREAL).strftime(fmt)
