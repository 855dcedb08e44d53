"""Pay periods: which exist (the current one, any with entries, any closed), their totals, one
period's detail (the provisional amounts it holds), and a coordinator closing one (a PayPeriodClosed
event that records how far payroll had read and which provisional amounts were carried).

Only a period that has ended (its last day before today, America/Montreal) can be closed. Closing
needs every provisional amount it holds validated first (the booking closed) or explicitly carried:
a carried amount leaves the closed period and is booked whole in the next open one, still
provisional, until its booking is validated. An amount is provisional while its remuneration is not
validated (entries' `validated`), an adjustment of one included."""
from __future__ import annotations

from ims_common.envelope import NewEvent, StoredEvent
from ims_common.errors import Conflict, Forbidden, ValidationFailed
from ims_common.money import Money
from ims_common.times import local_today
from services.payroll.contract.events import PERIOD_CLOSED
from services.payroll.domain import ledger

from .records import ENTRIES, PERIODS, REMUNERATIONS, actor_of, staff

CARRY_MAX = 5000


class PeriodUseCases:
    def _closed(self, period_id: str) -> bool:
        doc = self.docs.get(PERIODS, period_id)
        return bool(doc and doc.get("status") == "closed")

    def _period_id(self, period_id) -> str:
        if not self.calendar.is_period_id(period_id):
            raise ValidationFailed("payroll.invalid_period", fields={"period": ["field.invalid"]})
        return period_id

    def _ended(self, period_id: str) -> bool:
        return self.calendar.end(period_id) < local_today(self.clock())

    def _provisional(self, period_id: str) -> list[dict]:
        """The amounts the period holds of remunerations not validated yet (an adjustment of one
        included; an amount of zero holds nothing to pay)."""
        entries = self.docs.find(ENTRIES, {"period_id": period_id, "validated": False},
                                 order_by=[("service_date", 1), ("rem_key", 1)])
        return [e for e in entries if any(e["amounts"].values())]

    def _describe(self, period_id: str, entries: list[dict], provisional: int) -> dict:
        doc = self.docs.get(PERIODS, period_id) or {}
        total = ledger.total_of(e["amounts"] for e in entries if e["period_id"] == period_id)
        return dict(self.calendar.describe(period_id), status=doc.get("status", "open"),
                    ended=self._ended(period_id), closed_at=doc.get("closed_at"), closed_by=doc.get("closed_by"),
                    carried=len(doc.get("carried") or ()), provisional=provisional, total=str(Money(total["total"])))

    def list_periods(self, actor: dict) -> list[dict]:
        ids = {self.calendar.period_of(local_today(self.clock()))}
        entries = self.docs.find(ENTRIES, None if staff(actor) else {"interpreter_id": actor["user_id"]})
        ids.update(e["period_id"] for e in entries)
        ids.update(doc["id"] for doc in self.docs.find(PERIODS))
        counts: dict[str, int] = {}
        for e in entries:
            if e.get("validated") is False and any(e["amounts"].values()):
                counts[e["period_id"]] = counts.get(e["period_id"], 0) + 1
        return [self._describe(pid, entries, counts.get(pid, 0)) for pid in sorted(ids, reverse=True)]

    def get_period(self, actor: dict, period_id: str) -> dict:
        """A period, and the provisional amounts it holds: what closing it needs validated or carried."""
        if not staff(actor):
            raise Forbidden("payroll.forbidden")
        period_id = self._period_id(period_id)
        entries = self.docs.find(ENTRIES, {"period_id": period_id})
        provisional = self._provisional(period_id)
        items = []
        for e in provisional:
            rem = self.docs.get(REMUNERATIONS, e["rem_key"]) or {}
            items.append({"key": e["rem_key"], "booking_id": e["booking_id"], "interpreter_id": e["interpreter_id"],
                          "service_date": e["service_date"], "withdrawal": bool(rem.get("withdrawal")),
                          "flags": list((rem.get("detail") or {}).get("flags") or ()),
                          **ledger.strings(e["amounts"])})
        return dict(self._describe(period_id, entries, len(items)), provisional_items=items,
                    totals=ledger.strings(ledger.total_of(e["amounts"] for e in entries)),
                    statements=self._statements(entries))

    def _statements(self, entries: list[dict]) -> list[dict]:
        """One line per interpreter the period pays: who (payroll's identity), what in total, and how
        many of its amounts are still provisional (the statement's own page has the detail)."""
        per: dict[str, dict] = {}
        for e in entries:
            row = per.setdefault(e["interpreter_id"], {"amounts": ledger.zero(), "provisional": 0})
            row["amounts"] = ledger.add(row["amounts"], e["amounts"])
            if e.get("validated") is False and any(e["amounts"].values()):
                row["provisional"] += 1
        rows = [dict(self._identity(uid), provisional=row["provisional"], **ledger.strings(row["amounts"]))
                for uid, row in per.items()]
        return sorted(rows, key=lambda r: ((r["legal_name"] or "").lower(), r["interpreter_id"]))

    def close_period(self, actor: dict, period_id: str, carry=None) -> dict:
        """`carry`: the keys of the provisional remunerations to carry to the next open period;
        every provisional amount the period holds must be among them (or validated first)."""
        if not staff(actor):
            raise Forbidden("payroll.forbidden")
        period_id = self._period_id(period_id)
        carry = _keys(carry)
        with self._lock:
            if self._closed(period_id):
                raise Conflict("payroll.period_closed", params={"period": period_id})
            if not self._ended(period_id):
                raise Conflict("payroll.period_not_ended", params={
                    "period": period_id, "end": self.calendar.end(period_id).isoformat()})
            held = {e["rem_key"] for e in self._provisional(period_id)}
            if carry - held:
                raise ValidationFailed("payroll.not_provisional_here", params={"period": period_id},
                                       fields={"carry": ["field.invalid"]})
            if held - carry:
                raise Conflict("payroll.period_has_provisional", params={
                    "period": period_id, "count": len(held - carry)})
            data = {"period_id": period_id, "booking_position": self.projector.checkpoint(),
                    "auth_position": self.auth_projector.checkpoint(),
                    "reference_position": self.reference_projector.checkpoint(), "carried": sorted(carry)}
            stored = self.events.append(f"pay-period-{period_id}", 0, [NewEvent(
                PERIOD_CLOSED, data, actor=actor_of(actor), correlation_id=actor.get("correlation_id"))])[0]
            self._apply_closure(stored)
        return next(p for p in self.list_periods(actor) if p["id"] == period_id)

    def _apply_closure(self, event: StoredEvent) -> None:
        period_id = event.data["period_id"]
        carried = event.data.get("carried") or []
        for key in carried:                       # out of the period before it closes…
            self.docs.delete(ENTRIES, f"{key}@{period_id}")
        self.docs.put(PERIODS, period_id, {
            "id": period_id, "status": "closed", "closed_at": event.occurred_at,
            "closed_by": (event.actor or {}).get("user_id"), "carried": carried})
        for key in carried:                       # …and whole into the next open one
            rem = self.docs.get(REMUNERATIONS, key)
            if rem:
                self._write_entries(rem, self._plan(rem))


def _keys(carry) -> set[str]:
    if carry is None:
        return set()
    if not isinstance(carry, list) or len(carry) > CARRY_MAX \
            or not all(isinstance(k, str) and 0 < len(k) <= 200 for k in carry):
        raise ValidationFailed("request.invalid", {"fields": "carry"}, {"carry": ["field.invalid"]})
    return set(carry)
