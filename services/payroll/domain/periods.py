"""Pay periods: consecutive runs of `days` local days (America/Montreal) from an anchor date.
Biweekly from Sunday 2024-11-03 by default; a period's id is its first day (YYYY-MM-DD)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class PeriodCalendar:
    anchor: date = date(2024, 11, 3)
    days: int = 14

    def __post_init__(self):
        if not isinstance(self.days, int) or isinstance(self.days, bool) or self.days < 1:
            raise ValueError("a pay period lasts at least one day")

    def period_of(self, day: date) -> str:
        index = (day - self.anchor).days // self.days
        return (self.anchor + timedelta(days=index * self.days)).isoformat()

    def start(self, period_id: str) -> date:
        start = date.fromisoformat(period_id)
        if self.period_of(start) != period_id:
            raise ValueError(f"not the first day of a pay period: {period_id}")
        return start

    def end(self, period_id: str) -> date:
        """Last day, inclusive."""
        return self.start(period_id) + timedelta(days=self.days - 1)

    def next(self, period_id: str) -> str:
        return (self.start(period_id) + timedelta(days=self.days)).isoformat()

    def describe(self, period_id: str) -> dict:
        return {"id": period_id, "start": period_id, "end": self.end(period_id).isoformat()}

    def is_period_id(self, value) -> bool:
        try:
            self.start(value)
            return True
        except (TypeError, ValueError):
            return False


DEFAULT_CALENDAR = PeriodCalendar()
