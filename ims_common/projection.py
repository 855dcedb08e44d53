"""Checkpointed projection: a consumer applies the publisher's events once each, in position order.

Events arriving over RabbitMQ are treated as hints: an event right after the checkpoint is applied;
a gap (an event lost, or delivered out of order) is filled from the source's `events_since`; an
event at or below the checkpoint is a duplicate and changes nothing. The effect of `apply` must be
idempotent per event (e.g. a record keyed by event_id), because a crash between the effect and the
checkpoint write replays that one event.

A poison event (one whose `apply` keeps failing) must neither be lost nor block the events after it:
each failure is counted (collection `projection_failures`); below `max_attempts` the error propagates
and the event is retried by the next delivery or catch-up; at `max_attempts` the event is parked
(collection `parked_events`, with its error) and the checkpoint moves past it. `parked()` lists them.
"""
from __future__ import annotations

import logging
import threading
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
                 batch: int = 500, max_attempts: int = MAX_ATTEMPTS):
        self._docs = docs
        self._name = name
        self._apply = apply
        self._batch = batch
        self._max_attempts = max(1, max_attempts)
        self._lock = threading.RLock()  # green under eventlet's monkey patching

    def checkpoint(self) -> int:
        doc = self._docs.get(CHECKPOINTS, self._name)
        return int(doc["position"]) if doc else 0

    def reset(self) -> None:
        self.advance(0)

    def advance(self, position: int) -> None:
        """Record that every event up to position is applied (a bulk replay writes its own batches)."""
        with self._lock:
            self._docs.put(CHECKPOINTS, self._name, {"position": position})

    def on_event(self, envelope: dict, fetch: Fetch) -> None:
        event = StoredEvent.from_dict(envelope)
        with self._lock:
            position = self.checkpoint()
            if event.position <= position:
                return
            if event.position == position + 1:
                self._apply_one(event)
            else:
                self._catch_up_locked(fetch)

    def catch_up(self, fetch: Fetch) -> int:
        with self._lock:
            return self._catch_up_locked(fetch)

    def _catch_up_locked(self, fetch: Fetch) -> int:
        applied = 0
        while True:
            page = fetch(self.checkpoint(), self._batch)
            if not page:
                return applied
            for envelope in page:
                self._apply_one(StoredEvent.from_dict(envelope))
                applied += 1

    def parked(self) -> list[dict]:
        """The events this projector gave up on, with their error, in position order."""
        return self._docs.find(PARKED, {"projector": self._name}, order_by=[("position", 1)])

    def _apply_one(self, event: StoredEvent) -> None:
        try:
            self._apply(event)
        except Exception as exc:
            if not self._park_after_failure(event, exc):
                raise
        self.advance(event.position)

    def _park_after_failure(self, event: StoredEvent, exc: Exception) -> bool:
        """Count the failure; True when the event is now parked (the caller moves past it)."""
        key = f"{self._name}:{event.position}"
        failure = self._docs.get(FAILURES, key) or {"attempts": 0}
        attempts = int(failure["attempts"]) + 1
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if attempts < self._max_attempts:
            self._docs.put(FAILURES, key, {"projector": self._name, "position": event.position,
                                           "attempts": attempts, "error": error})
            log.warning("%s: event %s (position %s) failed (attempt %s of %s): %s", self._name,
                        event.event_id, event.position, attempts, self._max_attempts, error)
            return False
        self._docs.put(PARKED, key, {
            "projector": self._name, "position": event.position, "event_id": event.event_id,
            "type": event.type, "stream_id": event.stream_id, "attempts": attempts, "error": error,
            "parked_at": utc_now_iso()})
        self._docs.delete(FAILURES, key)
        log.error("%s: event %s (position %s) parked after %s failed attempts: %s", self._name,
                  event.event_id, event.position, attempts, error)
        return True
