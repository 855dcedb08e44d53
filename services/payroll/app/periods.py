"""Pay periods: which exist (the current one, any with entries, any closed), their totals, and a
coordinator closing one (a PayPeriodClosed event that records how far payroll had read)."""
from __future__ import annotations

from ims_common.envelope import NewEvent, StoredEvent
from ims_common.errors import Conflict, Forbidden, ValidationFailed
from ims_common.money import Money
from ims_common.times import local_today
from services.payroll.contract.events import PERIOD_CLOSED
from services.payroll.domain import ledger

from .records import ENTRIES, PERIODS, actor_of, staff


class PeriodUseCases:
    def _closed(self, period_id: str) -> bool:
        doc = self.docs.get(PERIODS, period_id)
        return bool(doc and doc.get("status") == "closed")

    def _period_id(self, period_id) -> str:
        if not self.calendar.is_period_id(period_id):
            raise ValidationFailed("payroll.invalid_period", fields={"period": ["field.invalid"]})
        return period_id

    def list_periods(self, actor: dict) -> list[dict]:
        ids = {self.calendar.period_of(local_today(self.clock()))}
        entries = self.docs.find(ENTRIES, None if staff(actor) else {"interpreter_id": actor["user_id"]})
        ids.update(e["period_id"] for e in entries)
        ids.update(doc["id"] for doc in self.docs.find(PERIODS))
        out = []
        for pid in sorted(ids, reverse=True):
            doc = self.docs.get(PERIODS, pid) or {}
            total = ledger.total_of(e["amounts"] for e in entries if e["period_id"] == pid)
            out.append(dict(self.calendar.describe(pid), status=doc.get("status", "open"),
                            closed_at=doc.get("closed_at"), closed_by=doc.get("closed_by"),
                            total=str(Money(total["total"]))))
        return out

    def close_period(self, actor: dict, period_id: str) -> dict:
        if not staff(actor):
            raise Forbidden("payroll.forbidden")
        period_id = self._period_id(period_id)
        with self._lock:
            if self._closed(period_id):
                raise Conflict("payroll.period_closed", params={"period": period_id})
            data = {"period_id": period_id, "booking_position": self.projector.checkpoint(),
                    "auth_position": self.auth_projector.checkpoint()}
            stored = self.events.append(f"pay-period-{period_id}", 0, [NewEvent(
                PERIOD_CLOSED, data, actor=actor_of(actor), correlation_id=actor.get("correlation_id"))])[0]
            self._apply_closure(stored)
        return next(p for p in self.list_periods(actor) if p["id"] == period_id)

    def _apply_closure(self, event: StoredEvent) -> None:
        self.docs.put(PERIODS, event.data["period_id"], {
            "id": event.data["period_id"], "status": "closed", "closed_at": event.occurred_at,
            "closed_by": (event.actor or {}).get("user_id")})
