"""Local time of the bank (America/Montreal) and the UTC ISO strings stored in events."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

MONTREAL = ZoneInfo("America/Montreal")


def iso_z(moment: datetime) -> str:
    """UTC, second precision, 'Z' suffix: these strings sort in time order."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


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
    return parse_iso(utc_iso).astimezone(MONTREAL).date().isoformat()


def local_today(now: datetime) -> date:
    return now.astimezone(MONTREAL).date()
