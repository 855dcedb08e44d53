"""The booking read model: one document per booking in the "bookings" collection, for lists and
queues. Disposable: rebuilt from the event store at any time.

Events are applied in position order from a checkpoint (shared CheckpointedProjector). Each
document also keeps its stream version, so an event applied twice (replay, a crash between the
document and the checkpoint writes, two processes) changes nothing the second time, and a stream
whose earlier event was skipped is refolded from its own stream instead of going wrong.

A rebuild replays the same rule in bulk: events read a page at a time are folded in memory into
the states of the bookings they touch, and every REBUILD_BATCH events those states are written with
one put_many and one checkpoint (a commit per event made a rebuild of millions of events take
hours). Its result is the incremental one's (tests/test_rebuild.py)."""
from __future__ import annotations

import gc

from ims_common.docstore.port import DocumentStore
from ims_common.envelope import StoredEvent
from ims_common.eventstore.port import EventStore
from ims_common.projection import CheckpointedProjector
from services.booking.contract.fold import awaiting_validation
from services.booking.domain.access import visible_to
from services.booking.domain.events import evolve, evolve_in_place, fold
from ims_common.times import local_date_of

BOOKINGS = "bookings"
PROJECTOR = "booking_read_model"
STREAM_PREFIX = "booking-"
DERIVED = ("local_date", "visible_to", "awaiting_validation")   # filter fields beside the booking's state
REBUILD_PAGE = 5_000       # events per read (larger pages cost more than they save)
REBUILD_BATCH = 250_000    # events applied in memory between two bulk writes and checkpoints


def document(state: dict) -> dict:
    return {**state, "local_date": local_date_of(state["start_at"]), "visible_to": visible_to(state),
            "awaiting_validation": awaiting_validation(state)}


def state_of(doc: dict) -> dict:
    return {k: val for k, val in doc.items() if k not in DERIVED}


class BookingReadModel:
    def __init__(self, events: EventStore, docs: DocumentStore):
        self._events = events
        self._docs = docs
        self._projector = CheckpointedProjector(docs, PROJECTOR, self._apply)
        self._lock = self._projector.lock  # a rebuild never interleaves with a catch-up, in any process
        for fields in (["start_at"], ["status", "start_at"], ["establishment", "start_at"],
                       ["local_date"], ["visible_to"], ["awaiting_validation", "start_at"]):
            docs.ensure_index(BOOKINGS, fields)

    def _fetch(self, position: int, limit: int) -> list[dict]:
        return [e.to_dict() for e in self._events.read_all(position, limit)]

    def checkpoint(self) -> int:
        return self._projector.checkpoint()

    def catch_up(self) -> int:
        """Apply every event after the checkpoint; returns how many were read."""
        with self._lock:
            return self._projector.catch_up(self._fetch)

    def rebuild(self, page_size: int = REBUILD_PAGE, batch: int = REBUILD_BATCH) -> int:
        """Drop the documents and replay every event in bulk; returns how many were read."""
        with self._lock:
            self._docs.drop(BOOKINGS)
            self._projector.reset()
            enabled = gc.isenabled()
            # Millions of short-lived dicts beside a large live set of states: the cyclic collector
            # would walk the live states over and over (more than a third of the time); nothing
            # made here forms a cycle, so reference counting frees it all.
            gc.disable()
            try:
                return self._replay(page_size, batch, set())
            finally:
                if enabled:
                    gc.enable()

    def _replay(self, page_size: int, batch: int, written: set) -> int:
        """Replay after the checkpoint onto an emptied collection, where only `written` keys (those
        this replay wrote) have a document: the others need no read."""
        position, replayed, unwritten = self.checkpoint(), 0, 0
        dirty: dict[str, dict] = {}     # key -> state changed since the last write
        clean: dict[str, dict] = {}     # key -> state as the last write left it (its bookings are
                                        # likely to go on: history runs in time order)
        while page := self._events.read_all(position, page_size):
            for index, event in enumerate(page):
                if not event.stream_id.startswith(STREAM_PREFIX):
                    continue
                key = event.stream_id[len(STREAM_PREFIX):]
                state = dirty.get(key) or clean.get(key)
                if state is None and key in written:
                    doc = self._docs.get(BOOKINGS, key)
                    state = state_of(doc) if doc else None
                version = state["version"] if state else 0
                if event.stream_version <= version:
                    continue                      # already applied
                try:
                    if event.stream_version == version + 1:   # the state is ours: no copy per event
                        state = evolve_in_place(state, event.type, event.data, actor=event.actor,
                                                occurred_at=event.occurred_at, version=event.stream_version)
                    else:
                        state = fold(e for e in self._events.load_stream(event.stream_id)
                                     if e.stream_version <= event.stream_version)
                except Exception:
                    # Write what was applied before it (this booking's state refolded from its
                    # stream: the failed rule may have changed it part way), then let the
                    # projector count, retry or park this event as a catch-up would.
                    dirty.pop(key, None)
                    clean.pop(key, None)
                    before = fold(e for e in self._events.load_stream(event.stream_id)
                                  if e.stream_version < event.stream_version)
                    if before is not None:
                        dirty[key] = before
                    self._write(dirty, event.position - 1, written)
                    written.add(key)             # the projector may write it
                    self._projector.on_event(event.to_dict(), self._fetch)
                    return replayed + index + 1 + self._replay(page_size, batch, written)
                dirty[key] = state
            position = page[-1].position
            replayed += len(page)
            unwritten += len(page)
            if unwritten >= batch:
                self._write(dirty, position, written)
                clean, dirty, unwritten = dirty, {}, 0
        if unwritten:
            self._write(dirty, position, written)
        return replayed

    def _write(self, states: dict[str, dict], position: int, written: set) -> None:
        with self._docs.batch():     # the documents and their checkpoint in one commit
            self._docs.put_many(BOOKINGS, ((key, document(state)) for key, state in states.items()))
            self._projector.advance(position)
        written.update(states)

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

    def find(self, where: dict, page: int, per_page: int, direction: int = 1) -> tuple[list[dict], int]:
        """One page of booking states sorted by start time (direction 1: earliest first, -1: latest
        first), and the total matching."""
        total = self._docs.count(BOOKINGS, where)
        docs = self._docs.find(BOOKINGS, where, order_by=[("start_at", direction), ("number", direction)],
                               limit=per_page, offset=(page - 1) * per_page)
        for doc in docs:          # fresh from the store: dropping the filter fields beats a copy
            for name in DERIVED:
                doc.pop(name, None)
        return docs, total
