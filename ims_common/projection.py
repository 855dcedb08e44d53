"""Checkpointed projection: a consumer applies the publisher's events once each, in position order.

Events arriving over RabbitMQ are treated as hints: an event right after the checkpoint is applied;
a gap (an event lost, or delivered out of order) is filled from the source's `events_since`; an
event at or below the checkpoint is a duplicate and changes nothing. The effect of `apply` must be
idempotent per event (e.g. a record keyed by event_id), because a crash between the effect and the
checkpoint write replays that one event.

A poison event (one whose `apply` keeps failing) must neither be lost nor block the events after it:
each failure is counted (collection `projection_failures`); below `max_attempts` the error propagates
and the event is retried by the next delivery or catch-up; at `max_attempts` the event is parked
(collection `parked_events`, with its error) and the checkpoint moves past it. `parked()` lists
them; `parked_events(docs)` lists those of every projector of a store (health, the services' CLIs).
Once the cause is fixed, `request_retry()` marks parked events to be applied again: the next
catch-up of the running service does it (in position order; an event that fails again stays parked
with its new error).

Processes side by side (two payroll processes on one store) take turns: each call holds the
projector's lock, shared by every process on the store (`docs.lock`, ims_common/locks.py), so one
event is never applied by two processes at once and the checkpoint never moves backwards.
"""
from __future__ import annotations

import logging
from typing import Callable

from ims_common.docstore.port import DocumentStore
from ims_common.envelope import StoredEvent, utc_now_iso

log = logging.getLogger(__name__)

CHECKPOINTS = "checkpoints"
FAILURES = "projection_failures"
PARKED = "parked_events"
MAX_ATTEMPTS = 5
Fetch = Callable[[int, int], list]


class CheckpointedProjector:
    def __init__(self, docs: DocumentStore, name: str, apply: Callable[[StoredEvent], None],
                 batch: int = 500, max_attempts: int = MAX_ATTEMPTS, lock=None):
        """`lock`: a StoreLock to share with other projectors or use cases (payroll's decisions);
        by default the projector's own, `projector.<name>` on `docs`."""
        self._docs = docs
        self._name = name
        self._apply = apply
        self._batch = batch
        self._max_attempts = max(1, max_attempts)
        self.lock = lock if lock is not None else docs.lock(f"projector.{name.lower()}")

    @property
    def name(self) -> str:
        return self._name

    def checkpoint(self) -> int:
        doc = self._docs.get(CHECKPOINTS, self._name)
        return int(doc["position"]) if doc else 0

    def reset(self) -> None:
        self.advance(0)

    def advance(self, position: int) -> None:
        """Record that every event up to position is applied (a bulk replay writes its own batches)."""
        with self.lock:
            self._docs.put(CHECKPOINTS, self._name, {"position": position})

    def on_event(self, envelope: dict, fetch: Fetch) -> None:
        event = StoredEvent.from_dict(envelope)
        with self.lock:
            position = self.checkpoint()
            if event.position <= position:
                return
            if event.position == position + 1:
                self._apply_one(event)
            else:
                self._catch_up_locked(fetch)

    def catch_up(self, fetch: Fetch) -> int:
        with self.lock:
            return self._catch_up_locked(fetch)

    def _catch_up_locked(self, fetch: Fetch) -> int:
        applied = self._retry_requested(fetch)
        while True:
            page = fetch(self.checkpoint(), self._batch)
            if not page:
                return applied
            for envelope in page:
                self._apply_one(StoredEvent.from_dict(envelope))
                applied += 1
                self.lock.keep()        # a long catch-up renews a lease (LockLost: another took it)

    def parked(self) -> list[dict]:
        """The events this projector gave up on, with their error, in position order."""
        return self._docs.find(PARKED, {"projector": self._name}, order_by=[("position", 1)])

    def request_retry(self, position: int | None = None) -> int:
        """Marks this projector's parked events (all, or the one at `position`) to be applied again
        at the next catch-up; returns how many were marked."""
        return request_retry(self._docs, self._name, position)

    def _retry_requested(self, fetch: Fetch) -> int:
        done = 0
        for doc in self._docs.find(PARKED, {"projector": self._name, "retry": True}, order_by=[("position", 1)]):
            key = _key(self._name, doc["position"])
            page = fetch(doc["position"] - 1, 1)
            if not page or page[0]["position"] != doc["position"]:
                self._docs.put(PARKED, key, dict(doc, retry=False, error="not found at its source any more"))
                continue
            try:
                self._apply(StoredEvent.from_dict(page[0]))
            except Exception as exc:
                self._docs.put(PARKED, key, dict(doc, retry=False, attempts=int(doc["attempts"]) + 1,
                                                 error=_error(exc), parked_at=utc_now_iso()))
                log.error("%s: parked event %s (position %s) failed again: %s", self._name, doc["event_id"],
                          doc["position"], _error(exc))
                continue
            self._docs.delete(PARKED, key)
            log.info("%s: parked event %s (position %s) applied on retry", self._name, doc["event_id"],
                     doc["position"])
            done += 1
        return done

    def _apply_one(self, event: StoredEvent) -> None:
        try:
            self._apply(event)
        except Exception as exc:
            if not self._park_after_failure(event, exc):
                raise
        self.advance(event.position)

    def _park_after_failure(self, event: StoredEvent, exc: Exception) -> bool:
        """Count the failure; True when the event is now parked (the caller moves past it)."""
        key = _key(self._name, event.position)
        failure = self._docs.get(FAILURES, key) or {"attempts": 0}
        attempts = int(failure["attempts"]) + 1
        error = _error(exc)
        if attempts < self._max_attempts:
            self._docs.put(FAILURES, key, {"projector": self._name, "position": event.position,
                                           "attempts": attempts, "error": error})
            log.warning("%s: event %s (position %s) failed (attempt %s of %s): %s", self._name,
                        event.event_id, event.position, attempts, self._max_attempts, error)
            return False
        self._docs.put(PARKED, key, {
            "projector": self._name, "position": event.position, "event_id": event.event_id,
            "type": event.type, "stream_id": event.stream_id, "attempts": attempts, "error": error,
            "parked_at": utc_now_iso(), "retry": False})
        self._docs.delete(FAILURES, key)
        log.error("%s: event %s (position %s) parked after %s failed attempts: %s", self._name,
                  event.event_id, event.position, attempts, error)
        return True


def _key(projector: str, position: int) -> str:
    return f"{projector}:{position}"


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def parked_events(docs: DocumentStore, projector: str | None = None) -> list[dict]:
    """The parked events of every projector on this store (or of one), by projector and position."""
    where = {"projector": projector} if projector else None
    return docs.find(PARKED, where, order_by=[("projector", 1), ("position", 1)])


def parked_count(docs: DocumentStore) -> int:
    return docs.count(PARKED)


def request_retry(docs: DocumentStore, projector: str | None = None, position: int | None = None) -> int:
    """Marks parked events (of every projector on the store, or one; all, or the one at `position`)
    to be applied again by their projector's next catch-up (the running service: an operator's CLI
    writes only this mark). Returns how many were marked."""
    marked = 0
    for doc in parked_events(docs, projector):
        if position is None or doc["position"] == position:
            docs.put(PARKED, _key(doc["projector"], doc["position"]), dict(doc, retry=True))
            marked += 1
    return marked
