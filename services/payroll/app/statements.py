"""What payroll answers about money already computed: one booking's remunerations, an interpreter's
statement for a period (JSON or PDF), the finance CSV, the billing per establishment and cost
center, and the totals a rebuild is checked against."""
from __future__ import annotations

import base64

from ims_common.csv_cells import csv_text
from ims_common.errors import Forbidden, NotFound, ValidationFailed
from services.payroll.contract.vocabulary import ADJUSTMENT, FINAL, LINES, PROVISIONAL, label
from services.payroll.domain import ledger

from .records import ENTRIES, PERIODS, REMUNERATIONS, staff

# One line per interpreter and state of the amounts (provisional, final, adjustment).
CSV_COLUMNS = ("interpreter_id", "supplier_number", "legal_name", "state") + ledger.AMOUNT_KEYS


STATE_ORDER = (FINAL, ADJUSTMENT, PROVISIONAL)


def _lines(amounts: dict, detail: dict) -> list[dict]:
    """The screen's lines: label, amount and the rule that produced it (fr and en)."""
    rules = detail.get("rules") or {}
    return [{"key": k, "label": label(k, "fr"), "label_en": label(k, "en"), "amount": amounts[k],
             "rule": rules.get(k) or {"fr": "", "en": ""}} for k in LINES]


class StatementUseCases:
    def _view(self, rem: dict) -> dict:
        detail = dict(rem["detail"])
        entries = self.docs.find(ENTRIES, {"rem_key": rem["key"]}, order_by=[("period_id", 1)])
        detail.update(booking_id=rem["booking_id"], interpreter_id=rem["interpreter_id"], kind=rem["kind"],
                      withdrawal=rem["withdrawal"], service_date=rem["service_date"],
                      period_id=rem["period_id"], establishment=rem["establishment"],
                      cost_center=rem["cost_center"], calculated_at=rem["calculated_at"],
                      lines=_lines(detail, detail),
                      entries=[dict(ledger.strings(e["amounts"]), period_id=e["period_id"], kind=e["kind"])
                               for e in entries])
        return detail

    def get_remuneration(self, actor: dict, booking_id: str) -> dict:
        rems = self.docs.find(REMUNERATIONS, {"booking_id": booking_id}, order_by=[("key", 1)])
        if not staff(actor):
            rems = [r for r in rems if r["interpreter_id"] == (actor or {}).get("user_id")]
        if not rems:
            raise NotFound("payroll.not_found", params={"booking_id": booking_id})
        rems.sort(key=lambda r: r["withdrawal"])   # the assigned interpreter's first
        return {"booking_id": booking_id, "items": [self._view(r) for r in rems]}

    def _identity(self, interpreter_id: str) -> dict:
        profile = self.profiles.get(interpreter_id) or {}
        financial = profile.get("financial") or {}
        name = " ".join(p for p in (profile.get("first_name"), profile.get("last_name")) if p)
        return {"interpreter_id": interpreter_id, "supplier_number": financial.get("supplier_number") or "",
                "legal_name": financial.get("legal_name") or name}

    def statement(self, actor: dict, period_id: str, interpreter_id: str | None = None) -> dict:
        period_id = self._period_id(period_id)
        if not staff(actor):
            if interpreter_id not in (None, actor.get("user_id")):
                raise NotFound("payroll.not_found")
            interpreter_id = actor.get("user_id")
        elif not interpreter_id:
            raise ValidationFailed("payroll.interpreter_required",
                                   fields={"interpreter_id": ["field.required"]})
        entries = self.docs.find(ENTRIES, {"period_id": period_id, "interpreter_id": interpreter_id},
                                 order_by=[("service_date", 1), ("booking_id", 1)])
        total = ledger.total_of(e["amounts"] for e in entries)
        doc = self.docs.get(PERIODS, period_id) or {}
        items = []
        for e in entries:
            amounts = ledger.strings(e["amounts"])
            detail = (self.docs.get(REMUNERATIONS, e["rem_key"]) or {}).get("detail") or {}
            items.append(dict(amounts, booking_id=e["booking_id"], kind=e["kind"], service_date=e["service_date"],
                              establishment=e["establishment"], cost_center=e["cost_center"],
                              policy_version=detail.get("policy_version"), flags=list(detail.get("flags") or ()),
                              lines=_lines(amounts, detail)))
        return dict(self._identity(interpreter_id), period=self.calendar.describe(period_id),
                    status=doc.get("status", "open"), totals=ledger.strings(total), items=items)

    def _by_interpreter_and_state(self, period_id: str) -> dict[tuple, dict]:
        totals: dict[tuple, dict] = {}
        for e in self.docs.find(ENTRIES, {"period_id": period_id}):
            group = (e["interpreter_id"], STATE_ORDER.index(e["kind"]))
            totals[group] = ledger.add(totals.get(group, ledger.zero()), e["amounts"])
        return dict(sorted(totals.items()))

    def export_csv(self, actor: dict, period_id: str) -> str:
        """The finance export (ims_common.csv_cells: formulas neutralised, UTF-8 with BOM)."""
        if not staff(actor):
            raise Forbidden("payroll.forbidden")
        period_id = self._period_id(period_id)
        rows = []
        for (interpreter_id, state), amounts in self._by_interpreter_and_state(period_id).items():
            ident = self._identity(interpreter_id)
            money = ledger.strings(amounts)
            rows.append([ident["interpreter_id"], ident["supplier_number"], ident["legal_name"], STATE_ORDER[state]]
                        + [money[k] for k in ledger.AMOUNT_KEYS])
        return csv_text(CSV_COLUMNS, rows)

    def statement_pdf(self, actor: dict, period_id: str, interpreter_id: str) -> dict:
        """The statement as a PDF, in the caller's language (French unless `lang` says English)."""
        statement = self.statement(actor, period_id, interpreter_id)
        lang = "en" if (actor or {}).get("lang") == "en" else "fr"
        return {"filename": f"releve-{period_id}-{statement['interpreter_id']}.pdf",
                "content_base64": base64.b64encode(self.render_pdf(statement, lang)).decode("ascii")}

    def billing(self, actor: dict, period_id: str) -> dict:
        """What each establishment and cost center owes for the period (the establishment that asks pays)."""
        if not staff(actor):
            raise Forbidden("payroll.forbidden")
        period_id = self._period_id(period_id)
        groups: dict[tuple, dict] = {}
        for e in self.docs.find(ENTRIES, {"period_id": period_id}):
            group = groups.setdefault((e["establishment"] or "", e["cost_center"] or ""), {
                "establishment": e["establishment"], "cost_center": e["cost_center"],
                "cost_center_description": e.get("cost_center_description"), "bookings": set(),
                "amounts": ledger.zero()})
            group["bookings"].add(e["booking_id"])
            group["amounts"] = ledger.add(group["amounts"], e["amounts"])
        items, total = [], ledger.zero()
        for _, g in sorted(groups.items()):
            total = ledger.add(total, g["amounts"])
            items.append({"establishment": g["establishment"], "cost_center": g["cost_center"],
                          "cost_center_description": g["cost_center_description"],
                          "bookings": len(g["bookings"]), **ledger.strings(g["amounts"])})
        return {"period": self.calendar.describe(period_id), "items": items, "totals": ledger.strings(total)}

    def totals(self) -> dict:
        """Every period's totals per interpreter, and the remunerations' own totals (rebuild check)."""
        periods: dict[str, dict] = {}
        for e in self.docs.find(ENTRIES, order_by=[("key", 1)]):
            per = periods.setdefault(e["period_id"], {})
            per[e["interpreter_id"]] = ledger.add(per.get(e["interpreter_id"], ledger.zero()), e["amounts"])
        return {
            "periods": {p: {i: ledger.strings(a) for i, a in sorted(v.items())} for p, v in sorted(periods.items())},
            "remunerations": {r["key"]: ledger.strings(r["amounts"])
                              for r in self.docs.find(REMUNERATIONS, order_by=[("key", 1)])},
        }
