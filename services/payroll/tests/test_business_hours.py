"""Business days and the 48 business hours of late cancellations (America/Montreal)."""
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from services.payroll.domain.business_hours import (
    MONTREAL, business_hours_between, business_minutes_between, is_business_day, is_late_cancellation,
    is_office_hours, notice_deadline)
from services.payroll.domain.policy import CURRENT_POLICY


def local(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=MONTREAL)


def test_weekdays_are_business_days_weekends_are_not():
    assert is_business_day(date(2025, 3, 3))       # Monday
    assert is_business_day(date(2025, 3, 7))       # Friday
    assert not is_business_day(date(2025, 3, 8))   # Saturday
    assert not is_business_day(date(2025, 3, 9))   # Sunday


def test_quebec_statutory_holidays_are_not_business_days():
    assert not is_business_day(date(2025, 6, 24))  # Fête nationale (Tuesday)
    assert not is_business_day(date(2025, 4, 18))  # Good Friday
    assert not is_business_day(date(2025, 5, 19))  # Journée nationale des patriotes
    assert not is_business_day(date(2024, 12, 25))
    assert is_business_day(date(2025, 4, 21))      # Easter Monday: not statutory in Quebec's list


def test_tuesday_10_to_wednesday_14_is_28_business_hours():
    assert business_hours_between(local(2025, 3, 4, 10), local(2025, 3, 5, 14)) == 28


def test_monday_9_to_thursday_9_is_72_business_hours():
    assert business_hours_between(local(2025, 3, 3, 9), local(2025, 3, 6, 9)) == 72


def test_weekend_adds_nothing():
    # Friday 12:00 -> Monday 12:00: 12 h of Friday + 12 h of Monday.
    assert business_hours_between(local(2025, 3, 7, 12), local(2025, 3, 10, 12)) == 24


def test_holiday_adds_nothing():
    # Monday 2025-06-23 00:00 -> Thursday 06-26 00:00 skips Tuesday the 24th (Fête nationale).
    assert business_hours_between(local(2025, 6, 23), local(2025, 6, 26)) == 48
    # Thursday before Good Friday 2025 -> Monday after: only Thursday's last 6 h and Monday's 8 h.
    assert business_hours_between(local(2025, 4, 17, 18), local(2025, 4, 21, 8)) == 14


def test_counted_to_the_minute_and_as_utc_instants():
    start = datetime(2025, 3, 4, 15, 0, tzinfo=timezone.utc)   # 10:00 in Montreal
    assert business_minutes_between(start, start + timedelta(minutes=90)) == 90
    assert business_hours_between(start, start + timedelta(minutes=90)) == Decimal("1.5")


def test_reversed_or_empty_interval_is_zero():
    assert business_minutes_between(local(2025, 3, 5), local(2025, 3, 4)) == 0
    assert business_minutes_between(local(2025, 3, 5), local(2025, 3, 5)) == 0


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        business_minutes_between(datetime(2025, 3, 4), datetime(2025, 3, 5))


def test_daylight_saving_weekend_is_not_counted():
    # Clocks go forward Sunday 2025-03-09: Friday 00:00 -> Monday 00:00 is one business day.
    assert business_hours_between(local(2025, 3, 7), local(2025, 3, 10)) == 24


def test_late_cancellation_window():
    start = local(2025, 3, 6, 9)                          # Thursday 09:00
    assert not is_late_cancellation(local(2025, 3, 4, 9), start, CURRENT_POLICY)   # exactly 48 h
    assert is_late_cancellation(local(2025, 3, 4, 9, 1), start, CURRENT_POLICY)
    assert is_late_cancellation(local(2025, 3, 6, 10), start, CURRENT_POLICY)      # after start


def test_late_cancellation_across_a_weekend():
    # Friday 09:00 for Monday 14:00: 15 h + 14 h = 29 business hours, though 77 h of wall clock.
    assert is_late_cancellation(local(2025, 3, 7, 9), local(2025, 3, 10, 14), CURRENT_POLICY)


def test_office_hours():
    opens, closes = time(8, 30), time(16, 30)
    assert is_office_hours(local(2025, 3, 4, 8, 30), opens, closes)
    assert not is_office_hours(local(2025, 3, 4, 16, 30), opens, closes)
    assert not is_office_hours(local(2025, 3, 8, 10), opens, closes)    # Saturday
    assert not is_office_hours(local(2025, 6, 24, 10), opens, closes)   # holiday


MOMENTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31),
                       timezones=st.just(timezone.utc)).map(lambda d: d.replace(second=0, microsecond=0))


@given(MOMENTS, MOMENTS, MOMENTS)
def test_business_minutes_add_up_over_a_split(a, b, c):
    a, b, c = sorted((a, b, c))
    assert business_minutes_between(a, c) == business_minutes_between(a, b) + business_minutes_between(b, c)


@given(MOMENTS, MOMENTS)
def test_business_minutes_never_exceed_the_wall_clock(a, b):
    a, b = sorted((a, b))
    assert 0 <= business_minutes_between(a, b) <= (b - a).total_seconds() // 60


def test_notice_deadline_of_a_wednesday_14h_is_monday_14h():
    assert notice_deadline(local(2025, 3, 5, 14), 48) == local(2025, 3, 3, 14)


def test_notice_deadline_skips_the_weekend_and_holidays():
    # Tuesday 2025-06-24 (Fête nationale) and the weekend add nothing: Monday 10:00 -> Thursday before.
    assert notice_deadline(local(2025, 6, 30, 10), 48) == local(2025, 6, 26, 10)


@given(MOMENTS, st.integers(min_value=0, max_value=400))
def test_the_deadline_is_the_last_moment_that_is_not_late(start, hours):
    policy = CURRENT_POLICY.derive(late_cancellation_business_hours=hours)
    deadline = notice_deadline(start, hours)
    assert not is_late_cancellation(deadline, start, policy)
    assert is_late_cancellation(deadline + timedelta(seconds=1), start, policy) or hours == 0
