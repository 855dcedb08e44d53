"""Application layer of the booking service: what the RPC methods call (no nameko here).

A command loads the booking's stream, lets the domain decide, and appends at the version it
read; when another writer got there first (ConcurrencyError) it reloads and decides again, so ten
interpreters accepting at once leave one booked and nine Conflicts. The read model follows each
append in the same process; details are always folded from the stream itself (never stale)."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Callable, Optional

from ims_common.envelope import NewEvent, StoredEvent
from ims_common.errors import Conflict, NotFound
from ims_common.eventstore.port import ConcurrencyError
from services.booking.contract.public import public_event
from services.booking.contract.events import current_version, upcast
from services.booking.domain import numbering
from services.booking.domain.access import is_staff, require_visible, role_of, summary, view
from services.booking.domain.booking import created_event, decide, prepare_create
from services.booking.domain.events import fold
from services.booking.domain.listing import parse_query
from ims_common.validation import invalid
from services.booking.matching_app import MatchingMixin
from services.booking.readmodel import BookingReadModel

NUMBER_HINTS = "booking_numbers"   # next sequence per prefix and day: a hint, the stream decides
CREATED_BY_CALL = "booking_created_by_call"   # call id -> booking number: a redelivered create
ATTEMPTS = 3
MAX_EVENTS_PAGE = 1000


class UpcastingEventStore:
    """The event store, with every event read brought to its type's current schema version."""

    def __init__(self, inner):
        self._inner = inner

    def load_stream(self, stream_id):
        return [_upcast(e) for e in self._inner.load_stream(stream_id)]

    def read_all(self, after_position: int = 0, limit: int = 1000):
        return [_upcast(e) for e in self._inner.read_all(after_position, limit)]

    def __getattr__(self, name):
        return getattr(self._inner, name)


def _upcast(event: StoredEvent) -> StoredEvent:
    current = upcast(event.to_dict())
    return event if current["schema_version"] == event.schema_version else StoredEvent.from_dict(current)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class BookingApp(MatchingMixin):   # candidates, offers to all qualified, escalation, queue
    def __init__(self, event_store, doc_store, blob_store,
                 clock: Optional[Callable[[], datetime]] = None):
        self.events = UpcastingEventStore(event_store)   # older schema versions read as current
        self.docs = doc_store
        self.blobs = blob_store
        self.clock = clock or _utc_now
        self.read_model = BookingReadModel(event_store, doc_store)

    # --- helpers ------------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return an aware datetime")
        return now.astimezone(timezone.utc)

    def _load(self, booking_id) -> dict | None:
        if not numbering.is_number(booking_id):
            return None          # never reaches a store with a malformed or hostile id
        return fold(self.events.load_stream(numbering.stream_id(booking_id)))

    @staticmethod
    def _envelope(actor: dict, event, now: datetime) -> NewEvent:
        correlation = actor.get("correlation_id")
        return NewEvent(
            type=event.type, data=event.data, schema_version=current_version(event.type),
            actor={"user_id": actor["user_id"], "role": actor["role"]},
            correlation_id=correlation if isinstance(correlation, str) and len(correlation) <= 200 else None,
            causation_id=_call_id(actor),
            occurred_at=now.isoformat(timespec="microseconds").replace("+00:00", "Z"))

    # --- commands -----------------------------------------------------------------------------

    def create_booking(self, actor: dict, fields) -> dict:
        call = _call_id(actor)
        if call and (done := self.docs.get(CREATED_BY_CALL, call)):
            return self.get_booking(actor, done["id"])   # the same call redelivered: created already
        now = self._now()
        prefix, data = prepare_create(actor, fields, now)
        day = numbering.day_key(prefix, now)
        hint = self.docs.get(NUMBER_HINTS, day)
        sequence = int(hint["next"]) if hint else 1
        while True:
            number = numbering.number(prefix, now, sequence)   # Conflict past 999 a day
            try:
                stored = self.events.append(numbering.stream_id(number), 0,
                                            [self._envelope(actor, created_event(number, data), now)])
                break
            except ConcurrencyError:
                sequence += 1      # that number is taken: the next one
        self.docs.put(NUMBER_HINTS, day, {"next": sequence + 1})
        if call:
            self.docs.put(CREATED_BY_CALL, call, {"id": number})
        self.catch_up()
        return view(actor, fold(stored))

    def execute(self, actor: dict, booking_id, command, payload) -> dict:
        attachment_id = str(uuid.uuid4())   # the same across retries: a retried blob put replaces
        if command == "offer":
            payload = self._prepare_offer(actor, booking_id, payload)
        call = _call_id(actor)
        for _ in range(ATTEMPTS):
            now = self._now()
            history = self.events.load_stream(numbering.stream_id(booking_id)) \
                if numbering.is_number(booking_id) else []
            state = fold(history)
            if call and state and any(e.causation_id == call for e in history):
                return view(actor, state)   # the same call redelivered (e.g. after a broker restart): done already
            decision = decide(state, actor, command, payload, now, str(booking_id),
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

    # --- queries ------------------------------------------------------------------------------

    def get_booking(self, actor: dict, booking_id) -> dict:
        role_of(actor)
        state = self._load(booking_id)
        return view(actor, require_visible(actor, state, str(booking_id)))

    def assigned_contact(self, actor: dict, booking_id) -> dict | None:
        """Who was assigned, by name, and how to reach them (what the acceptance notification tells
        the requester), from this service's copy of auth's profiles, for a requester or staff member
        who may see the booking. Interpreters get none: it is them, or not theirs."""
        booking = self.get_booking(actor, booking_id)  # visibility check first
        uid = booking.get("assigned_interpreter_id")
        if not uid or not (is_staff(actor) or role_of(actor) == "requester") or booking.get("status") not in (
                "booked", "modified", "service_provided", "closed"):
            return None
        profiles = getattr(self, "auth_profiles", None)
        person = (profiles.get(uid) if profiles else None) or {}
        name = f"{person.get('first_name') or ''} {person.get('last_name') or ''}".strip()
        return {"user_id": uid, "name": name or uid, "mobile": person.get("mobile") or None,
                "phone": person.get("phone") or None, "email": person.get("email") or None}

    def list_bookings(self, actor: dict, query) -> dict:
        where, page, per_page = parse_query(actor, query)
        self.catch_up()            # cheap when up to date; covers appends made by another process
        items, total = self.read_model.find(where, page, per_page) if where is not None else ([], 0)
        return {"items": [summary(s) for s in items], "total": total, "page": page, "per_page": per_page}

    def get_attachment(self, actor: dict, booking_id, attachment_id) -> tuple[dict, bytes]:
        """(metadata, content). Receipts are between the interpreter and the bank: staff, the
        assigned interpreter and whoever added the file may read it."""
        state = require_visible(actor, self._load(booking_id), str(booking_id))
        meta = next((a for a in state["attachments"] if a["id"] == attachment_id), None)
        allowed = meta is not None and (
            is_staff(actor) or meta.get("added_by") == actor["user_id"]
            or (actor["role"] == "interpreter" and state["assigned_interpreter_id"] == actor["user_id"]))
        blob = self.blobs.get(attachment_id) if allowed else None
        if blob is None:
            raise NotFound("booking.attachment_not_found", {"id": booking_id, "attachment_id": attachment_id})
        return dict(meta), blob.data

    def events_since(self, position, limit=500) -> list[dict]:
        for name, value in (("position", position), ("limit", limit)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise invalid({name: ["field.not_an_integer"]})
        limit = max(1, min(limit, MAX_EVENTS_PAGE))
        return [e.to_dict() for e in self.events.read_all(position, limit)]

    def public_events_since(self, position, limit=500) -> dict:
        """{"items": the public projection (docs/events/) of the events after position, "next_after":
        the position to ask after next}. Types outside the contract are left out, so a page may hold
        fewer than limit items (even none) while more follow: resume after `next_after`."""
        events = self.events_since(position, limit)
        page = [p for p in map(public_event, events) if p is not None]
        return {"items": page, "next_after": events[-1]["position"] if events else position}

    @staticmethod
    def public_event(envelope: dict) -> dict | None:
        """What the relay publishes on `booking.public` (ims_common.nameko_ext.Runtime)."""
        return public_event(envelope)

    # --- read model and health ----------------------------------------------------------------

    def catch_up(self) -> int:
        return self.read_model.catch_up()

    def rebuild_read_models(self) -> int:
        """Drop the read model and replay every event; returns how many events were replayed."""
        return self.read_model.rebuild()

    def health(self) -> dict:
        return {"service": "booking", "ok": True, "last_position": self.events.last_position(),
                "read_model_position": self.read_model.checkpoint()}


def _call_id(actor: dict) -> str | None:
    """The id the gateway gives each RPC call (the same when RabbitMQ redelivers that call's message):
    kept as the events' causation id so a command or creation redelivered is not applied twice."""
    call = actor.get("call_id")
    return call if isinstance(call, str) and 0 < len(call) <= 64 else None
