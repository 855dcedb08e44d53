"""What every use case of the booking application shares: the stores (events read at their current
schema version), the clock, the policy, loading a booking's state and wrapping decided events."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Optional

from ims_common.envelope import NewEvent, StoredEvent
from ims_common.projection import parked_count
from services.booking.contract.events import current_version, upcast
from services.booking.domain import numbering
from services.booking.domain.events import fold
from services.booking.domain.matching import DEFAULT_POLICY, MatchingPolicy

from services.reference.contract.copy import ReferenceCopy

from .profiles import AuthProfiles
from .read_model import BookingReadModel
from .reference import ReferenceLists


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


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def call_id(actor: dict) -> str | None:
    """The id the gateway gives each RPC call (the same when RabbitMQ redelivers that call's message):
    kept as the events' causation id so a command or creation redelivered is not applied twice."""
    call = actor.get("call_id")
    return call if isinstance(call, str) and 0 < len(call) <= 64 else None


class AppBase:
    """The stores and settings; bootstrap.build() gives the policy and the clock."""

    def __init__(self, event_store, doc_store, blob_store,
                 clock: Optional[Callable[[], datetime]] = None, policy: MatchingPolicy = DEFAULT_POLICY):
        self.events = UpcastingEventStore(event_store)   # older schema versions read as current
        self.docs = doc_store
        self.blobs = blob_store
        self.clock = clock or utc_now
        self.policy = policy
        self.read_model = BookingReadModel(event_store, doc_store)
        self.auth_profiles = AuthProfiles(doc_store)   # the copy of auth's profiles (matching, contacts)
        self.reference = ReferenceCopy(doc_store)      # the copy of the reference data (fields, matching)
        self.reference_lists = ReferenceLists(self.reference)

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
            causation_id=call_id(actor),
            occurred_at=now.isoformat(timespec="microseconds").replace("+00:00", "Z"))

    # --- read model and health ----------------------------------------------------------------

    def catch_up(self) -> int:
        return self.read_model.catch_up()

    def rebuild_read_models(self) -> int:
        """Drop the read model and replay every event; returns how many events were replayed."""
        return self.read_model.rebuild()

    def health(self) -> dict:
        return {"service": "booking", "ok": True, "last_position": self.events.last_position(),
                "read_model_position": self.read_model.checkpoint(), "parked": parked_count(self.docs)}
