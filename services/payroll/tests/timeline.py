"""A booking's life decided by booking's real domain (prepare_create, decide) and recorded as the
envelopes payroll consumes, into a test event source: what payroll sees, with booking's own rules
deciding what may happen (who may withdraw when, reports, validation)."""
from __future__ import annotations

import itertools
from datetime import datetime

from ims_common.errors import IMSError
from ims_common.times import iso_z
from services.booking.contract.events import current_version
from services.booking.contract.fold import apply
from services.booking.domain.booking import created_event, decide, prepare_create

_numbers = itertools.count(1)
COORD = {"user_id": "UCOOR1", "role": "coordinator"}


class Source:
    """An event source with events_since, as booking, auth and reference answer it."""

    def __init__(self):
        self.events: list[dict] = []
        self.versions: dict[str, int] = {}

    def add(self, stream: str, type_: str, data: dict, at: str = "2024-11-05T20:00:00Z",
            actor: dict | None = None) -> dict:
        self.versions[stream] = self.versions.get(stream, 0) + 1
        env = {"event_id": f"e{len(self.events) + 1}", "type": type_, "schema_version": current_version(type_),
               "stream_id": stream, "stream_version": self.versions[stream],
               "position": len(self.events) + 1, "occurred_at": at, "actor": actor or COORD,
               "correlation_id": None, "causation_id": None, "data": data}
        self.events.append(env)
        return env

    def events_since(self, position: int, limit: int) -> list[dict]:
        return self.events[position:position + limit]    # positions are 1, 2, 3…


class Timeline:
    """One booking: `do` decides a command at a moment and appends its events to `source` (an
    object with add(stream, type, data, at=, actor=)); a refused command changes nothing."""

    def __init__(self, source, fields: dict, now: datetime, actor: dict = COORD):
        prefix, data = prepare_create(actor, fields, now)
        self.number = f"{prefix}-2{next(_numbers):07d}"
        self.source, self.state = source, None
        self._record(actor, [created_event(self.number, data)], now)

    @property
    def stream(self) -> str:
        return f"booking-{self.number}"

    def _record(self, actor, events, now):
        for event in events:
            env = self.source.add(self.stream, event.type, event.data, at=iso_z(now),
                                  actor={"user_id": actor["user_id"], "role": actor["role"]})
            self.state = apply(self.state, env)

    def do(self, actor: dict, command: str, payload: dict, now: datetime) -> bool:
        try:
            decision = decide(self.state, actor, command, payload, now, self.number)
        except IMSError:
            return False
        self._record(actor, decision.events, now)
        return True
