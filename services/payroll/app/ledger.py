"""Consuming booking's and auth's events: payroll's copy of each booking (booking's contract fold,
upcast first), each booking priced with the policy in force, and the result booked into the pay
periods (domain/ledger.py). Each computation that changes something is appended as
RemunerationCalculated to payroll's store (published on payroll.events by the relay)."""
from __future__ import annotations

import json
import logging

from ims_common.envelope import NewEvent, StoredEvent
from ims_common.projection import Fetch
from ims_common.times import iso_z, parse_iso
from services.booking.contract.events import booking_id_of
from services.booking.contract.fold import apply_in_place, validated
from services.payroll.contract.events import CALCULATED
from services.payroll.contract.vocabulary import FINAL, PROVISIONAL
from services.payroll.domain import ledger
from services.payroll.domain.business_hours import local_date
from services.payroll.domain.pricing import price
from services.payroll.domain.subjects import Subject, subjects

from .records import BOOKINGS, ENTRIES, REMUNERATIONS, SYSTEM_ACTOR

log = logging.getLogger(__name__)


def _same(stored: dict, data: dict) -> bool:
    return json.dumps(stored, sort_keys=True, default=str) == json.dumps(data, sort_keys=True, default=str)


class LedgerUseCases:
    def on_booking_event(self, envelope: dict, fetch: Fetch) -> None:
        self.projector.on_event(envelope, fetch)

    def on_auth_event(self, envelope: dict, fetch: Fetch) -> None:
        self.auth_projector.on_event(envelope, fetch)

    def catch_up(self, fetch: Fetch) -> int:
        return self.projector.catch_up(fetch)

    def catch_up_auth(self, fetch: Fetch) -> int:
        return self.auth_projector.catch_up(fetch)

    def _apply_booking(self, event: StoredEvent) -> None:
        """An event that cannot be folded or priced raises: the projector retries it, then parks it
        (visible, never skipped silently). Applied again after a crash part way, it prices again
        (what is already booked and published is not done twice: _record)."""
        self.received_log.record(event)
        booking_id = booking_id_of(event.stream_id)
        state = self.docs.get(BOOKINGS, booking_id)
        if state is None or state.get("version", 0) < event.stream_version:
            # The state was just read from the store: ours to change (no deep copy per event).
            state = apply_in_place(state, event)
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

    def _tax(self, interpreter_id: str) -> dict | None:
        profile = self.profiles.get(interpreter_id) or {}
        return profile.get("financial") or None

    def _price_booking(self, booking: dict, cause: StoredEvent | None,
                       only_interpreter: str | None = None) -> None:
        book = self.policy_book()
        for subject in subjects(booking):
            if only_interpreter and subject.interpreter_id != only_interpreter:
                continue
            previous = self.docs.get(REMUNERATIONS, subject.key)
            places = self._places(subject, booking, previous)
            rem = price(subject.booking, subject.report, self._tax(subject.interpreter_id), book,
                        cancelled_at=subject.cancelled_at, attachments=booking.get("attachments") or (),
                        withdrawn_at=subject.withdrawn_at, places=places)
            self._record(subject, booking, rem, cause, previous, places)

    def _places(self, subject: Subject, booking: dict, previous: dict | None) -> dict:
        """Once validated, a remuneration keeps the places it was validated with: a profile or
        reference change afterwards changes nothing (only a coordinator's correction does)."""
        if validated(booking):
            if previous and previous["kind"] == FINAL and "places" in previous:
                return previous["places"]
            if subject.key in self._validated_places:            # a rebuild: as it was validated
                return self._validated_places[subject.key]
        return self.places_for(booking, subject.interpreter_id)

    def _record(self, subject: Subject, booking: dict, rem, cause: StoredEvent | None, previous: dict | None,
                places: dict) -> None:
        key, interpreter = subject.key, subject.interpreter_id
        service_date = local_date(parse_iso(booking["start_at"]))
        service_period = self.calendar.period_of(service_date)
        kind = FINAL if validated(booking) else PROVISIONAL
        detail = rem.to_dict()
        if previous and previous["detail"] == detail and previous["kind"] == kind:
            return  # same result: nothing to book, nothing to publish (replays land here)
        where = {"establishment": booking.get("establishment"), "cost_center": booking.get("cost_center")}
        doc = {"key": key, "booking_id": booking["id"], "interpreter_id": interpreter, "kind": kind,
               "withdrawal": subject.withdrawal, "service_date": service_date.isoformat(),
               "period_id": service_period, **where,
               "cost_center_description": booking.get("cost_center_description"),
               "amounts": ledger.cents(rem), "detail": detail, "places": places,
               "mileage_claimed": bool(detail["inputs"].get("claimed_km")), "calculated_at": iso_z(self.clock())}
        booked = self._plan(doc)
        if self.emit:
            data = {"key": key, "booking_id": booking["id"], "interpreter_id": interpreter, "kind": booked.event_kind,
                    "validated": kind == FINAL, "places": places,
                    "service_date": service_date.isoformat(), "service_period_id": service_period,
                    "period_id": booked.period_id, **where, "withdrawal": subject.withdrawal,
                    "remuneration": detail, "booked": ledger.strings(booked.amounts)}
            stream = f"remuneration-{key.replace(':', '-')}"
            history = self.events.load_stream(stream)
            causation = cause.event_id if cause else None
            if not (history and history[-1].causation_id == causation and _same(history[-1].data, data)):
                # (else appended already, by a process that died before the writes below)
                self.events.append(stream, history[-1].stream_version if history else 0, [NewEvent(
                    CALCULATED, data, actor=SYSTEM_ACTOR,
                    correlation_id=cause.correlation_id if cause else None, causation_id=causation)])
        self._write_entries(doc, booked)
        self.docs.put(REMUNERATIONS, key, doc)

    def _plan(self, rem: dict) -> ledger.Booking:
        """Where the remuneration's amounts go now (domain/ledger.py), given the periods closed."""
        entries = self.docs.find(ENTRIES, {"rem_key": rem["key"]})
        return ledger.book(entries, rem["amounts"], rem["kind"], rem["period_id"], self._closed, self.calendar.next)

    def _write_entries(self, rem: dict, booked: ledger.Booking) -> None:
        for replaced in booked.replaced:
            self.docs.delete(ENTRIES, replaced)
        entry_key = f"{rem['key']}@{booked.period_id}"
        if booked.keep:
            self.docs.put(ENTRIES, entry_key, {
                "key": entry_key, "rem_key": rem["key"], "period_id": booked.period_id, "kind": booked.entry_kind,
                "booking_id": rem["booking_id"], "interpreter_id": rem["interpreter_id"],
                "service_date": rem["service_date"], "establishment": rem["establishment"],
                "cost_center": rem["cost_center"], "cost_center_description": rem.get("cost_center_description"),
                "validated": rem["kind"] == FINAL, "amounts": booked.amounts})
        else:
            self.docs.delete(ENTRIES, entry_key)
