"""Checkpointed projection: a consumer applies the publisher's events once each, in position order.

Events arriving over RabbitMQ are treated as hints: an event right after the checkpoint is applied;
a gap (an event lost, or delivered out of order) is filled from the source's `events_since`; an
event at or below the checkpoint is a duplicate and changes nothing. The effect of `apply` must be
idempotent per event (e.g. a record keyed by event_id), because a crash between the effect and the
checkpoint write replays that one event.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from ims_common.docstore.port import DocumentStore
from ims_common.envelope import StoredEvent

log = logging.getLogger(__name__)

CHECKPOINTS = "checkpoints"
Fetch = Callable[[int, int], list]


class CheckpointedProjector:
    def __init__(self, docs: DocumentStore, name: str, apply: Callable[[StoredEvent], None],
                 batch: int = 500):
        self._docs = docs
        self._name = name
        self._apply = apply
        self._batch = batch
        self._lock = threading.RLock()  # green under eventlet's monkey patching

    def checkpoint(self) -> int:
        doc = self._docs.get(CHECKPOINTS, self._name)
        return int(doc["position"]) if doc else 0

    def reset(self) -> None:
        with self._lock:
            self._docs.put(CHECKPOINTS, self._name, {"position": 0})

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

    def _apply_one(self, event: StoredEvent) -> None:
        self._apply(event)
        self._docs.put(CHECKPOINTS, self._name, {"position": event.position})
