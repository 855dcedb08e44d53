"""Business days and business hours of the bank (America/Montreal).

A business day is Monday to Friday, minus Quebec's statutory holidays as the `holidays` library
maintains them. The FAQ's "2 jours ouvrables (48h)" counts whole days of 24 hours: a business day
contributes the part of its 24 hours that lies inside the interval; weekends and holidays add nothing.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import cache

import holidays

from ims_common.times import MONTREAL

_DAY = timedelta(days=1)


@cache
def _quebec_holidays(year: int) -> frozenset[date]:
    # Frozen per year: the library's holiday object fills itself lazily and is not thread-safe.
    return frozenset(holidays.Canada(subdiv="QC", years=year).keys())


def is_holiday(day: date) -> bool:
    return day in _quebec_holidays(day.year)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an aware datetime is required (UTC or with an offset)")
    return moment.astimezone(timezone.utc)


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=MONTREAL).astimezone(timezone.utc)


def business_minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes of [start, end) that fall on business days in Montreal; 0 if end <= start."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return 0
    seconds = 0
    day = start.astimezone(MONTREAL).date()
    last = end.astimezone(MONTREAL).date()
    while day <= last:
        if is_business_day(day):
            # Subtract in UTC: aware datetimes sharing one tzinfo subtract as wall clock.
            low = max(start, _local_midnight_utc(day))
            high = min(end, _local_midnight_utc(day + _DAY))
            if high > low:
                seconds += int((high - low).total_seconds())
        day += _DAY
    return seconds // 60


def business_hours_between(start: datetime, end: datetime) -> Decimal:
    """Business hours of [start, end), to the minute (e.g. 90 minutes -> Decimal('1.5'))."""
    return Decimal(business_minutes_between(start, end)) / Decimal(60)


def is_late_cancellation(cancelled_at: datetime, start_at: datetime, policy) -> bool:
    """Cancelled with fewer business hours of notice than the policy's window (48 by default).
    A cancellation at or after the start has no notice at all, so it is late."""
    window = policy.late_cancellation_business_hours * 60
    return business_minutes_between(cancelled_at, start_at) < window


def notice_deadline(start: datetime, business_hours: int) -> datetime:
    """The last moment that still gives `business_hours` of notice before `start`: a cancellation
    at or before it is on time, one after it is late (business_minutes_between counts whole minutes,
    so one second after it leaves a minute short)."""
    start = _utc(start)
    remaining = business_hours * 3600
    if remaining <= 0:
        return start
    day = start.astimezone(MONTREAL).date()
    while True:
        if is_business_day(day):
            low = _local_midnight_utc(day)
            high = min(start, _local_midnight_utc(day + _DAY))
            available = int((high - low).total_seconds()) if high > low else 0
            if remaining <= available:
                return high - timedelta(seconds=remaining)
            remaining -= available
        day -= _DAY


def is_office_hours(moment: datetime, opens: time, closes: time) -> bool:
    """The bank's opening hours ("du lundi au vendredi, de 8 h 30 à 16 h 30, à l'exception des
    jours fériés"): decides the rate description of a service starting at `moment`."""
    local = _utc(moment).astimezone(MONTREAL)
    return is_business_day(local.date()) and opens <= local.time().replace(tzinfo=None) < closes


def local_date(moment: datetime) -> date:
    return _utc(moment).astimezone(MONTREAL).date()
