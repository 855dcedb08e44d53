"""The event envelope of DESIGN.md section 4, as stored and as published on RabbitMQ."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field, asdict
from datetime import datetime, timezone
from typing import Any, Optional


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class NewEvent:
    """An event a command decided, before the store gives it a stream version and a position."""
    type: str
    data: dict
    schema_version: int = 1
    actor: dict = field(default_factory=dict)          # {"user_id": ..., "role": ...}
    correlation_id: Optional[str] = None
    causation_id: Optional[str] = None
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: str = field(default_factory=utc_now_iso)  # ISO 8601, UTC, "Z" suffix


@dataclass(frozen=True)
class StoredEvent:
    """An event as the store holds it and as it travels: the envelope."""
    event_id: str
    type: str
    schema_version: int
    stream_id: str
    stream_version: int       # 1 for the first event of a stream
    position: int             # global position in the store, 1-based, strictly increasing
    occurred_at: str
    actor: dict
    correlation_id: Optional[str]
    causation_id: Optional[str]
    data: dict

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "StoredEvent":
        fields: dict[str, Any] = {k: d.get(k) for k in cls.__dataclass_fields__}
        return cls(**fields)
