"""The booking read model: one document per booking in the "bookings" collection, for lists and
queues. Disposable: rebuilt from the event store at any time.

Events are applied in position order from a checkpoint (shared CheckpointedProjector). Each
document also keeps its stream version, so an event applied twice (replay, a crash between the
document and the checkpoint writes, two processes) changes nothing the second time, and a stream
whose earlier event was skipped is refolded from its own stream instead of going wrong."""
from __future__ import annotations

import threading

from ims_common.docstore.port import DocumentStore
from ims_common.envelope import StoredEvent
from ims_common.eventstore.port import EventStore
from ims_common.projection import CheckpointedProjector
from services.booking.domain.access import visible_to
from services.booking.domain.events import evolve, fold
from services.booking.domain.montreal import local_date_of

BOOKINGS = "bookings"
PROJECTOR = "booking_read_model"
STREAM_PREFIX = "booking-"
DERIVED = ("local_date", "visible_to")   # filter fields kept beside the booking's state


def document(state: dict) -> dict:
    return {**state, "local_date": local_date_of(state["start_at"]), "visible_to": visible_to(state)}


def state_of(doc: dict) -> dict:
    return {k: val for k, val in doc.items() if k not in DERIVED}


class BookingReadModel:
    def __init__(self, events: EventStore, docs: DocumentStore):
        self._events = events
        self._docs = docs
        self._lock = threading.RLock()     # a rebuild never interleaves with a catch-up
        self._projector = CheckpointedProjector(docs, PROJECTOR, self._apply)
        for fields in (["start_at"], ["status", "start_at"], ["establishment", "start_at"],
                       ["local_date"], ["visible_to"]):
            docs.ensure_index(BOOKINGS, fields)

    def _fetch(self, position: int, limit: int) -> list[dict]:
        return [e.to_dict() for e in self._events.read_all(position, limit)]

    def checkpoint(self) -> int:
        return self._projector.checkpoint()

    def catch_up(self) -> int:
        """Apply every event after the checkpoint; returns how many were read."""
        with self._lock:
            return self._projector.catch_up(self._fetch)

    def rebuild(self) -> int:
        with self._lock:
            self._docs.drop(BOOKINGS)
            self._projector.reset()
            return self._projector.catch_up(self._fetch)

    def _apply(self, event: StoredEvent) -> None:
        if not event.stream_id.startswith(STREAM_PREFIX):
            return
        key = event.stream_id[len(STREAM_PREFIX):]
        doc = self._docs.get(BOOKINGS, key)
        version = doc["version"] if doc else 0
        if event.stream_version <= version:
            return                                    # already applied
        if event.stream_version == version + 1:
            state = evolve(state_of(doc) if doc else None, event.type, event.data, actor=event.actor,
                           occurred_at=event.occurred_at, version=event.stream_version)
        else:
            stream = [e for e in self._events.load_stream(event.stream_id)
                      if e.stream_version <= event.stream_version]
            state = fold(stream)
        self._docs.put(BOOKINGS, key, document(state))

    def find(self, where: dict, page: int, per_page: int) -> tuple[list[dict], int]:
        """One page of booking states sorted by start time, and the total matching."""
        total = self._docs.count(BOOKINGS, where)
        docs = self._docs.find(BOOKINGS, where, order_by=[("start_at", 1), ("number", 1)],
                               limit=per_page, offset=(page - 1) * per_page)
        return [state_of(d) for d in docs], total
