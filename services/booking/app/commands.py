"""Creating a booking and running a command on it.

A command loads the booking's stream, lets the domain decide, and appends at the version it read;
when another writer got there first (ConcurrencyError) it reloads and decides again, so ten
interpreters accepting at once leave one booked and nine Conflicts. The read model follows each
append in the same process; details are always folded from the stream itself (never stale)."""
from __future__ import annotations

import uuid

from ims_common.errors import Conflict
from ims_common.eventstore.port import ConcurrencyError
from services.booking.domain import numbering
from services.booking.domain.access import can_see, view
from services.booking.domain.booking import created_event, decide, prepare_create
from services.booking.domain.events import fold
from services.booking.domain.reference_fields import resolve

from .base import AppBase, call_id

NUMBER_HINTS = "booking_numbers"   # next sequence per prefix and day: a hint, the stream decides
CREATED_BY_CALL = "booking_created_by_call"   # call id -> booking number: a redelivered create
ATTEMPTS = 3


class Commands(AppBase):
    """Uses get_booking (Queries) and _prepare_offer / _prepare_assign (Matching), beside it in BookingApp."""

    def create_booking(self, actor: dict, fields) -> dict:
        call = call_id(actor)
        if call and (done := self.docs.get(CREATED_BY_CALL, call)) and self._created_by(call, done["id"]):
            return self.get_booking(actor, done["id"])   # the same call redelivered: created already
        now = self._now()
        prefix, data = prepare_create(actor, fields, now)
        data = resolve(data, self.reference_lists)
        day = numbering.day_key(prefix, now)
        hint = self.docs.get(NUMBER_HINTS, day)
        sequence = int(hint["next"]) if hint else 1
        while True:
            number = numbering.number(prefix, now, sequence)   # Conflict past 999 a day
            if call:
                # Before the append: a process killed right after it (its call then redelivered to
                # another booking process) leaves the number to look at, and the event says whether
                # this call made it (_created_by).
                self.docs.put(CREATED_BY_CALL, call, {"id": number})
            try:
                stored = self.events.append(numbering.stream_id(number), 0,
                                            [self._envelope(actor, created_event(number, data), now)])
                break
            except ConcurrencyError:
                sequence += 1      # that number is taken: the next one
        self.docs.put(NUMBER_HINTS, day, {"next": sequence + 1})
        self.catch_up()
        return view(actor, fold(stored))

    def _created_by(self, call: str, number: str) -> bool:
        first = self.events.load_stream(numbering.stream_id(number))[:1]
        return bool(first) and first[0].causation_id == call

    def execute(self, actor: dict, booking_id, command, payload, refresh_profiles=None) -> dict:
        """refresh_profiles: the service's catch-up of the profile copy from auth, for an offer or
        assignment naming someone the copy does not know yet."""
        attachment_id = str(uuid.uuid4())   # the same across retries: a retried blob put replaces
        if command == "offer":
            payload = self._prepare_offer(actor, booking_id, payload, refresh_profiles)
        elif command == "assign":
            payload = self._prepare_assign(actor, booking_id, payload, refresh_profiles)
        call = call_id(actor)
        for _ in range(ATTEMPTS):
            now = self._now()
            history = self.events.load_stream(numbering.stream_id(booking_id)) \
                if numbering.is_number(booking_id) else []
            state = fold(history)
            if call and state and any(e.causation_id == call for e in history):
                return view(actor, state)   # the same call redelivered (e.g. after a broker restart): done already
            given = payload
            if command == "modify" and isinstance(payload, dict) and can_see(actor, state):
                given = resolve(payload, self.reference_lists, state["establishment"])
            decision = decide(state, actor, command, given, now, str(booking_id),
                              new_id=lambda: attachment_id)
            if not decision.events:
                return view(actor, state)
            if decision.blob:
                key, content, content_type = decision.blob
                self.blobs.put(key, content, content_type)
            try:
                stored = self.events.append(numbering.stream_id(booking_id), state["version"],
                                            [self._envelope(actor, e, now) for e in decision.events])
            except ConcurrencyError:
                continue           # someone else wrote first: reload and decide again
            self.catch_up()
            return view(actor, fold(stored, state))
        raise Conflict("booking.concurrency_conflict", {"id": booking_id})
