"""Bringing a stored event's data up to the current schema version of its type, one step at a time.

Each service's contract keeps its own versions and steps (`CURRENT`, `UPCASTERS`); the walk is the same
for all, so it lives here once."""
from __future__ import annotations

from typing import Callable, Mapping

Step = Callable[[dict], dict]


def upcast(envelope: dict, current: Mapping[str, int], steps: Mapping[tuple[str, int], Step]) -> dict:
    """The envelope with its data brought to `current[type]` (a copy when something changed, the same dict
    otherwise). Types not in `current` are at version 1 and pass unchanged; a missing step is a ValueError,
    never a silently stale event."""
    event_type = envelope.get("type")
    version = int(envelope.get("schema_version") or 1)
    target = current.get(event_type, 1) if isinstance(event_type, str) else 1
    if version >= target:
        return envelope
    data = dict(envelope.get("data") or {})
    while version < target:
        step = steps.get((event_type, version))  # type: ignore[arg-type]
        if step is None:
            raise ValueError(f"no upcaster for {event_type} v{version}")
        data = step(data)
        version += 1
    return {**envelope, "data": data, "schema_version": version}
