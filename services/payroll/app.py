"""Application layer of the payroll service.

Payroll keeps its own copy of each booking (the booking domain's pure fold over booking events) and
of each interpreter's profile (ProfileCopy over auth's events), prices each booking with the pay
policy in force (services/payroll/domain) and books the result into pay periods:

- a remuneration per (booking, interpreter): the assigned interpreter's (provisional on
  ServiceProvided, final once the booking is closed, recomputed on any later change and on a profile
  change) and one per withdrawal that carried communications;
- entries per (remuneration, period): the remuneration's own period (the period of its service date)
  holds it while open; once that period is closed, a change books the difference as an adjustment in
  the next open period. Closed periods are never edited.
- each computation that changes something is appended as RemunerationCalculated to payroll's event
  store (published on payroll.events by the relay).

Coordinators' decisions (PayPeriodClosed, PolicyVersionAdded) are events of payroll's own store and
record how far payroll had read booking's and auth's events, so a rebuild from zero replays both
sources up to each decision, applies it, and reaches the same amounts.
"""
from __future__ import annotations

import base64
import csv
import io
import logging
import threading
from datetime import datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from ims_common.envelope import NewEvent, StoredEvent
from ims_common.errors import Forbidden, NotFound, ValidationFailed, Conflict
from ims_common.profile_copy import PROFILES, ProfileCopy
from ims_common.projection import CHECKPOINTS, CheckpointedProjector, Fetch
from ims_common.received_log import RECEIVED, ReceivedLog
from services.booking.contract.fold import apply_in_place
from services.payroll.domain.business_hours import local_date
from ims_common.money import Money
from services.payroll.domain.periods import DEFAULT_CALENDAR, PeriodCalendar
from services.payroll.domain.policy import PayPolicy, PolicyBook, default_policy_book
from services.payroll.domain.pricing import price
from services.payroll.domain.remuneration import LINES, label

log = logging.getLogger(__name__)
MONTREAL = ZoneInfo("America/Montreal")
STAFF = ("coordinator", "admin")

BOOKINGS = "pay_bookings"          # booking id -> payroll's copy of the booking (folded)
REMUNERATIONS = "remunerations"    # "<booking>:<interpreter>[:w<n>]" -> the latest computation
ENTRIES = "pay_entries"            # "<remuneration key>@<period>" -> amounts booked in a period
PERIODS = "pay_periods"            # period id -> {"status": "closed", ...}
POLICIES = "pay_policies"          # version -> policy dict (versions added to the seed)
READ_MODELS = (BOOKINGS, REMUNERATIONS, ENTRIES, PERIODS, POLICIES, PROFILES, RECEIVED, CHECKPOINTS)

CALCULATED = "RemunerationCalculated"
PERIOD_CLOSED = "PayPeriodClosed"
POLICY_ADDED = "PolicyVersionAdded"
AMOUNT_KEYS = LINES + ("subtotal", "gst", "qst", "total")
CSV_COLUMNS = ("interpreter_id", "supplier_number", "legal_name") + AMOUNT_KEYS


def _cents(rem) -> dict:
    out = {key: rem.lines[key].cents for key in LINES}
    out.update(subtotal=rem.subtotal.cents, gst=rem.gst.cents, qst=rem.qst.cents, total=rem.total.cents)
    return out


def _zero() -> dict:
    return {key: 0 for key in AMOUNT_KEYS}


def _add(a: dict, b: dict, sign: int = 1) -> dict:
    return {key: a.get(key, 0) + sign * b.get(key, 0) for key in AMOUNT_KEYS}


def _strings(amounts: dict) -> dict:
    """Cents -> exact decimal strings ('82.00'): what JSON carries."""
    return {key: str(Money(amounts.get(key, 0))) for key in AMOUNT_KEYS}


def _is_staff(actor: dict) -> bool:
    return (actor or {}).get("role") in STAFF


class PayrollApp:
    def __init__(self, doc_store, event_store=None, clock: Callable[[], datetime] | None = None,
                 calendar: PeriodCalendar = DEFAULT_CALENDAR):
        self.docs = doc_store
        self.events = event_store
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.calendar = calendar
        self.emit = event_store is not None
        self.received_log = ReceivedLog(doc_store)
        self.profiles = ProfileCopy(doc_store)
        for collection, fields in ((REMUNERATIONS, ["interpreter_id"]), (REMUNERATIONS, ["booking_id"]),
                                   (ENTRIES, ["period_id"]), (ENTRIES, ["rem_key"])):
            doc_store.ensure_index(collection, fields)
        # One lock for both sources and the coordinators' decisions: a decision then records
        # checkpoints that match exactly what had been applied (see rebuild).
        self._lock = threading.RLock()
        self.projector = CheckpointedProjector(doc_store, "booking", self._apply_booking)
        self.auth_projector = CheckpointedProjector(doc_store, "auth", self._apply_auth)
        self.projector._lock = self.auth_projector._lock = self._lock

    # ---------------------------------------------------------------- consuming events
    def on_booking_event(self, envelope: dict, fetch: Fetch) -> None:
        self.projector.on_event(envelope, fetch)

    def on_auth_event(self, envelope: dict, fetch: Fetch) -> None:
        self.auth_projector.on_event(envelope, fetch)

    def catch_up(self, fetch: Fetch) -> int:
        return self.projector.catch_up(fetch)

    def catch_up_auth(self, fetch: Fetch) -> int:
        return self.auth_projector.catch_up(fetch)

    def _apply_booking(self, event: StoredEvent) -> None:
        self.received_log.record(event)
        booking_id = event.stream_id.removeprefix("booking-")
        state = self.docs.get(BOOKINGS, booking_id)
        if state is not None and state.get("version", 0) >= event.stream_version:
            return  # replayed
        try:
            # The state was just read from the store: ours to change (no deep copy per event).
            state = apply_in_place(state, event)
        except (KeyError, ValueError):
            log.exception("booking event %s could not be folded", event.event_id)
            return
        self.docs.put(BOOKINGS, booking_id, state)
        self._price_booking(state, cause=event)

    def _apply_auth(self, event: StoredEvent) -> None:
        self.profiles.apply(event)
        user_id = (event.data or {}).get("user_id")
        if event.type != "ProfileUpdated" or not user_id:
            return
        for rem in self.docs.find(REMUNERATIONS, {"interpreter_id": user_id}, order_by=[("key", 1)]):
            booking = self.docs.get(BOOKINGS, rem["booking_id"])
            if booking:
                self._price_booking(booking, cause=event, only_interpreter=user_id)

    # ---------------------------------------------------------------- pricing
    def policy_book(self) -> PolicyBook:
        added = [PayPolicy.from_dict(doc["policy"]) for doc in self.docs.find(POLICIES)]
        book = default_policy_book()
        for policy in added:
            book = book.with_version(policy)
        return book

    def _tax(self, interpreter_id: str) -> dict | None:
        profile = self.profiles.get(interpreter_id) or {}
        return profile.get("financial") or None

    def _subjects(self, booking: dict) -> list[tuple[str, str, dict, dict | None, object]]:
        """(key, interpreter, booking as priced, report, cancelled_at) of what this booking pays."""
        out = []
        interpreter = booking.get("assigned_interpreter_id") or booking.get("reported_by")
        status = booking.get("status")
        if interpreter and (booking.get("report") is not None or status in ("cancelled", "closed")):
            out.append((f"{booking['id']}:{interpreter}", interpreter, booking, booking.get("report"),
                        booking.get("cancelled_at")))
        for n, w in enumerate(booking.get("withdrawals") or [], start=1):
            if w.get("communications"):
                # Given back more than 48 h ahead: only the communications made before are paid.
                priced = dict(booking, status="pending", cancelled_at=None)
                out.append((f"{booking['id']}:{w['interpreter_id']}:w{n}", w["interpreter_id"], priced,
                            {"communications": w["communications"]}, w.get("at")))
        return out

    def _price_booking(self, booking: dict, cause: StoredEvent, only_interpreter: str | None = None) -> None:
        book = self.policy_book()
        for key, interpreter, priced, report, cancelled_at in self._subjects(booking):
            if only_interpreter and interpreter != only_interpreter:
                continue
            try:
                rem = price(priced, report, self._tax(interpreter), book, cancelled_at=cancelled_at,
                            attachments=booking.get("attachments") or ())
            except (KeyError, LookupError, TypeError, ValueError):
                log.exception("booking %s could not be priced", booking.get("id"))
                continue
            self._record(key, interpreter, booking, rem, withdrawal=":w" in key, cause=cause)

    def _record(self, key: str, interpreter: str, booking: dict, rem, withdrawal: bool,
                cause: StoredEvent) -> None:
        service_date = local_date(datetime.fromisoformat(booking["start_at"].replace("Z", "+00:00")))
        service_period = self.calendar.period_of(service_date)
        kind = "final" if booking.get("status") == "closed" else "provisional"
        detail = rem.to_dict()
        amounts = _cents(rem)
        previous = self.docs.get(REMUNERATIONS, key)
        if previous and previous["detail"] == detail and previous["kind"] == kind:
            return  # same result: nothing to book, nothing to publish (replays land here)

        # Where the amount goes: its own period while open, else the next open one (the difference).
        entries = self.docs.find(ENTRIES, {"rem_key": key})
        closed = {e["period_id"] for e in entries if self._closed(e["period_id"])}
        booked_closed = _zero()
        for e in entries:
            if e["period_id"] in closed:
                booked_closed = _add(booked_closed, e["amounts"])
        target = service_period
        while self._closed(target):
            target = self.calendar.next(target)
        delta = _add(amounts, booked_closed, -1)
        entry_kind = kind if target == service_period else "adjustment"
        event_kind = entry_kind if not closed else "adjustment"

        if self.emit:
            data = {"booking_id": booking["id"], "interpreter_id": interpreter, "kind": event_kind,
                    "service_date": service_date.isoformat(), "service_period_id": service_period,
                    "period_id": target, "establishment": booking.get("establishment"),
                    "cost_center": booking.get("cost_center"), "withdrawal": withdrawal,
                    "remuneration": detail, "booked": _strings(delta)}
            stream = f"remuneration-{key.replace(':', '-')}"
            self.events.append(stream, self.events.stream_version(stream), [NewEvent(
                CALCULATED, data, actor={"user_id": "payroll", "role": "system"},
                correlation_id=cause.correlation_id, causation_id=cause.event_id)])

        for e in entries:
            if e["period_id"] not in closed and e["period_id"] != target:
                self.docs.delete(ENTRIES, e["key"])
        entry_key = f"{key}@{target}"
        if target != service_period and all(v == 0 for v in delta.values()):
            self.docs.delete(ENTRIES, entry_key)
        else:
            self.docs.put(ENTRIES, entry_key, {
                "key": entry_key, "rem_key": key, "period_id": target, "kind": entry_kind,
                "booking_id": booking["id"], "interpreter_id": interpreter,
                "service_date": service_date.isoformat(), "establishment": booking.get("establishment"),
                "cost_center": booking.get("cost_center"),
                "cost_center_description": booking.get("cost_center_description"),
                "amounts": delta})
        self.docs.put(REMUNERATIONS, key, {
            "key": key, "booking_id": booking["id"], "interpreter_id": interpreter, "kind": kind,
            "withdrawal": withdrawal, "service_date": service_date.isoformat(),
            "period_id": service_period, "establishment": booking.get("establishment"),
            "cost_center": booking.get("cost_center"), "amounts": amounts, "detail": detail,
            "calculated_at": self._now_iso()})

    # ---------------------------------------------------------------- periods
    def _closed(self, period_id: str) -> bool:
        doc = self.docs.get(PERIODS, period_id)
        return bool(doc and doc.get("status") == "closed")

    def _period_id(self, period_id) -> str:
        if not self.calendar.is_period_id(period_id):
            raise ValidationFailed("payroll.invalid_period", fields={"period": ["field.invalid"]})
        return period_id

    def list_periods(self, actor: dict) -> list[dict]:
        ids = {self.calendar.period_of(self._now().astimezone(MONTREAL).date())}
        where = None if _is_staff(actor) else {"interpreter_id": actor["user_id"]}
        entries = self.docs.find(ENTRIES, where)
        ids.update(e["period_id"] for e in entries)
        ids.update(doc["id"] for doc in self.docs.find(PERIODS))
        out = []
        for pid in sorted(ids, reverse=True):
            doc = self.docs.get(PERIODS, pid) or {}
            total = _zero()
            for e in entries:
                if e["period_id"] == pid:
                    total = _add(total, e["amounts"])
            out.append(dict(self.calendar.describe(pid), status=doc.get("status", "open"),
                            closed_at=doc.get("closed_at"), closed_by=doc.get("closed_by"),
                            total=str(Money(total["total"]))))
        return out

    def close_period(self, actor: dict, period_id: str) -> dict:
        if not _is_staff(actor):
            raise Forbidden("payroll.forbidden")
        period_id = self._period_id(period_id)
        with self._lock:
            if self._closed(period_id):
                raise Conflict("payroll.period_closed", params={"period": period_id})
            data = {"period_id": period_id, "booking_position": self.projector.checkpoint(),
                    "auth_position": self.auth_projector.checkpoint()}
            stored = self.events.append(f"pay-period-{period_id}", 0, [NewEvent(
                PERIOD_CLOSED, data, actor={"user_id": actor["user_id"], "role": actor["role"]},
                correlation_id=actor.get("correlation_id"))])[0]
            self._apply_closure(stored)
        return next(p for p in self.list_periods(actor) if p["id"] == period_id)

    def _apply_closure(self, event: StoredEvent) -> None:
        self.docs.put(PERIODS, event.data["period_id"], {
            "id": event.data["period_id"], "status": "closed", "closed_at": event.occurred_at,
            "closed_by": (event.actor or {}).get("user_id")})

    # ---------------------------------------------------------------- reading
    def _view(self, rem: dict) -> dict:
        detail = dict(rem["detail"])
        entries = self.docs.find(ENTRIES, {"rem_key": rem["key"]}, order_by=[("period_id", 1)])
        detail.update(booking_id=rem["booking_id"], interpreter_id=rem["interpreter_id"], kind=rem["kind"],
                      withdrawal=rem["withdrawal"], service_date=rem["service_date"],
                      period_id=rem["period_id"], establishment=rem["establishment"],
                      cost_center=rem["cost_center"], calculated_at=rem["calculated_at"],
                      lines=[{"key": k, "label": label(k, "fr"), "amount": detail[k]} for k in LINES],
                      entries=[dict(_strings(e["amounts"]), period_id=e["period_id"], kind=e["kind"])
                               for e in entries])
        return detail

    def get_remuneration(self, actor: dict, booking_id: str) -> dict:
        rems = self.docs.find(REMUNERATIONS, {"booking_id": booking_id}, order_by=[("key", 1)])
        if not _is_staff(actor):
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
        if not _is_staff(actor):
            if interpreter_id not in (None, actor.get("user_id")):
                raise NotFound("payroll.not_found")
            interpreter_id = actor.get("user_id")
        elif not interpreter_id:
            raise ValidationFailed("payroll.interpreter_required",
                                   fields={"interpreter_id": ["field.required"]})
        entries = self.docs.find(ENTRIES, {"period_id": period_id, "interpreter_id": interpreter_id},
                                 order_by=[("service_date", 1), ("booking_id", 1)])
        total = _zero()
        for e in entries:
            total = _add(total, e["amounts"])
        doc = self.docs.get(PERIODS, period_id) or {}
        return dict(self._identity(interpreter_id), period=self.calendar.describe(period_id),
                    status=doc.get("status", "open"), totals=_strings(total),
                    items=[dict(_strings(e["amounts"]), booking_id=e["booking_id"], kind=e["kind"],
                                service_date=e["service_date"], establishment=e["establishment"],
                                cost_center=e["cost_center"]) for e in entries])

    def _by_interpreter(self, period_id: str) -> dict[str, dict]:
        totals: dict[str, dict] = {}
        for e in self.docs.find(ENTRIES, {"period_id": period_id}):
            totals[e["interpreter_id"]] = _add(totals.get(e["interpreter_id"], _zero()), e["amounts"])
        return dict(sorted(totals.items()))

    def export_csv(self, actor: dict, period_id: str) -> str:
        if not _is_staff(actor):
            raise Forbidden("payroll.forbidden")
        period_id = self._period_id(period_id)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for interpreter_id, amounts in self._by_interpreter(period_id).items():
            ident = self._identity(interpreter_id)
            money = _strings(amounts)
            writer.writerow([ident["interpreter_id"], ident["supplier_number"], ident["legal_name"]]
                            + [money[k] for k in AMOUNT_KEYS])
        return out.getvalue()

    def statement_pdf(self, actor: dict, period_id: str, interpreter_id: str) -> dict:
        statement = self.statement(actor, period_id, interpreter_id)
        from services.payroll.adapters.pdf import statement_pdf
        return {"filename": f"releve-{period_id}-{statement['interpreter_id']}.pdf",
                "content_base64": base64.b64encode(statement_pdf(statement)).decode("ascii")}

    def billing(self, actor: dict, period_id: str) -> dict:
        """What each establishment and cost center owes for the period (the establishment that asks pays)."""
        if not _is_staff(actor):
            raise Forbidden("payroll.forbidden")
        period_id = self._period_id(period_id)
        groups: dict[tuple, dict] = {}
        for e in self.docs.find(ENTRIES, {"period_id": period_id}):
            group = groups.setdefault((e["establishment"] or "", e["cost_center"] or ""), {
                "establishment": e["establishment"], "cost_center": e["cost_center"],
                "cost_center_description": e.get("cost_center_description"), "bookings": set(),
                "amounts": _zero()})
            group["bookings"].add(e["booking_id"])
            group["amounts"] = _add(group["amounts"], e["amounts"])
        items, total = [], _zero()
        for _, g in sorted(groups.items()):
            total = _add(total, g["amounts"])
            items.append({"establishment": g["establishment"], "cost_center": g["cost_center"],
                          "cost_center_description": g["cost_center_description"],
                          "bookings": len(g["bookings"]), **_strings(g["amounts"])})
        return {"period": self.calendar.describe(period_id), "items": items, "totals": _strings(total)}

    def totals(self) -> dict:
        """Every period's totals per interpreter, and the remunerations' own totals (rebuild check)."""
        periods: dict[str, dict] = {}
        for e in self.docs.find(ENTRIES, order_by=[("key", 1)]):
            per = periods.setdefault(e["period_id"], {})
            per[e["interpreter_id"]] = _add(per.get(e["interpreter_id"], _zero()), e["amounts"])
        return {
            "periods": {p: {i: _strings(a) for i, a in sorted(v.items())} for p, v in sorted(periods.items())},
            "remunerations": {r["key"]: _strings(r["amounts"])
                              for r in self.docs.find(REMUNERATIONS, order_by=[("key", 1)])},
        }

    # ---------------------------------------------------------------- policies
    def list_policies(self, actor: dict) -> list[dict]:
        if not _is_staff(actor):
            raise Forbidden("payroll.forbidden")
        return [p.to_dict() for p in self.policy_book().versions]

    def add_policy(self, actor: dict, fields: dict) -> dict:
        """A new version from the latest one and the changed fields; it must take effect after today
        (America/Montreal) and after the latest version: a policy never changes what was priced."""
        if (actor or {}).get("role") != "admin":
            raise Forbidden("payroll.forbidden")
        with self._lock:
            book = self.policy_book()
            latest = book.versions[-1]
            try:
                if not isinstance(fields, dict) or not fields.get("version") or not fields.get("effective_from"):
                    raise ValueError("version and effective_from are required")
                policy = PayPolicy.from_dict(dict(latest.to_dict(), **fields))
                today = self._now().astimezone(MONTREAL).date()
                if policy.effective_from <= max(today, latest.effective_from):
                    raise ValueError("effective_from must be after today and after the latest version")
                book.with_version(policy)
            except (TypeError, ValueError) as exc:
                raise ValidationFailed("payroll.invalid_policy", params={"reason": str(exc)}) from None
            data = {"policy": policy.to_dict(), "booking_position": self.projector.checkpoint(),
                    "auth_position": self.auth_projector.checkpoint()}
            stored = self.events.append(f"pay-policy-{policy.version}", 0, [NewEvent(
                POLICY_ADDED, data, actor={"user_id": actor["user_id"], "role": actor["role"]},
                correlation_id=actor.get("correlation_id"))])[0]
            self._apply_policy(stored)
        return policy.to_dict()

    def _apply_policy(self, event: StoredEvent) -> None:
        self.docs.put(POLICIES, event.data["policy"]["version"], {"policy": event.data["policy"]})

    # ---------------------------------------------------------------- rebuild
    def rebuild(self, fetch_booking: Fetch, fetch_auth: Fetch) -> dict:
        """Drop every read model and replay booking's and auth's events from zero, applying payroll's
        own decisions (closures, policy versions) at the positions they were taken. Publishes
        nothing: the RemunerationCalculated events are already in the store."""
        decisions, position = [], 0
        while True:
            page = self.events.read_all(position, 1000)
            if not page:
                break
            position = page[-1].position
            decisions += [e for e in page if e.type in (PERIOD_CLOSED, POLICY_ADDED)]
        emit, self.emit = self.emit, False
        try:
            # One transaction (SQLite): no disk flush per document, and a rebuild failing part way
            # leaves the read models as they were.
            with self._lock, self.docs.batch():
                for collection in READ_MODELS:
                    self.docs.drop(collection)
                for decision in decisions:
                    self.projector.catch_up(_upto(fetch_booking, decision.data["booking_position"]))
                    self.auth_projector.catch_up(_upto(fetch_auth, decision.data["auth_position"]))
                    (self._apply_closure if decision.type == PERIOD_CLOSED else self._apply_policy)(decision)
                self.projector.catch_up(fetch_booking)
                self.auth_projector.catch_up(fetch_auth)
        finally:
            self.emit = emit
        return self.totals()

    # ---------------------------------------------------------------- misc
    def _now(self) -> datetime:
        return self.clock()

    def _now_iso(self) -> str:
        return self._now().astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")

    def events_since(self, position: int = 0, limit: int = 500) -> list[dict]:
        if isinstance(position, bool) or not isinstance(position, int) or position < 0 \
                or isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValidationFailed("validation.failed", fields={"position": ["field.invalid"]})
        return [e.to_dict() for e in self.events.read_all(position, min(limit, 1000))]

    def received(self, stream_id: str | None = None) -> list[dict]:
        return self.received_log.list(stream_id)

    def health(self) -> dict:
        return {"service": "payroll", "ok": True, "checkpoint": self.projector.checkpoint(),
                "auth_checkpoint": self.auth_projector.checkpoint()}


def _upto(fetch: Fetch, bound: int) -> Fetch:
    def bounded(position: int, limit: int) -> list:
        if position >= bound:
            return []
        return [e for e in fetch(position, min(limit, bound - position)) if e["position"] <= bound]
    return bounded
