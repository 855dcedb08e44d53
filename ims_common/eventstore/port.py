"""The event store port. Every adapter passes ims_common/tests/test_eventstore_contract.py."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable, Sequence

from ims_common.envelope import NewEvent, StoredEvent


class ConcurrencyError(Exception):
    """The stream is not at the expected version: nothing was written."""

    def __init__(self, stream_id: str, expected_version: int, actual_version: int | None = None):
        self.stream_id = stream_id
        self.expected_version = expected_version
        self.actual_version = actual_version
        super().__init__(
            f"stream {stream_id!r} expected at version {expected_version}"
            + (f", found at {actual_version}" if actual_version is not None else "")
        )


Append = tuple[str, int, list[NewEvent]]   # (stream_id, expected_version, events)


def check_append(stream_id: str, expected_version: int, events: Sequence[NewEvent]) -> None:
    if not isinstance(stream_id, str) or not stream_id:
        raise ValueError("stream_id must be a non-empty string")
    if isinstance(expected_version, bool) or not isinstance(expected_version, int) or expected_version < 0:
        raise ValueError("expected_version must be an integer >= 0")
    if not all(isinstance(e, NewEvent) for e in events):
        raise TypeError("append takes NewEvent instances")


def checked_appends(appends: Sequence[tuple[str, int, Sequence[NewEvent]]]) -> list[Append]:
    """The prologue of every append_many: each entry checked, its events in a list, before the
    adapter touches its database (a bad argument writes nothing)."""
    out = [(stream_id, expected, list(events)) for stream_id, expected, events in appends]
    for stream_id, expected, events in out:
        check_append(stream_id, expected, events)
    return out


def check_versions(appends: Sequence[Append], version_of: Callable[[str], int]) -> None:
    """ConcurrencyError for the first entry whose stream is not at its expected version; a stream
    named twice: its later entry expects the version the earlier one leaves. `version_of` reads the
    stored version, inside the adapter's write lock or transaction."""
    versions: dict[str, int] = {}   # streams already extended by this batch
    for stream_id, expected, events in appends:
        actual = versions[stream_id] if stream_id in versions else version_of(stream_id)
        if actual != expected:
            raise ConcurrencyError(stream_id, expected, actual)
        versions[stream_id] = expected + len(events)


def numbered(appends: Sequence[Append], last_position: int) -> list[list[StoredEvent]]:
    """Each entry's events as they will be stored: stream versions after the expected one, positions
    after last_position, in order and without a gap (checked versions: see check_versions)."""
    position, out = last_position, []
    for stream_id, expected, events in appends:
        out.append([StoredEvent(e.event_id, e.type, e.schema_version, stream_id, expected + i, position + i,
                                e.occurred_at, dict(e.actor or {}), e.correlation_id, e.causation_id, e.data)
                    for i, e in enumerate(events, start=1)])
        position += len(events)
    return out


class EventStore(ABC):
    """Append-only store of event streams; the stored events double as the outbox."""

    def append(self, stream_id: str, expected_version: int, events: Sequence[NewEvent]) -> list[StoredEvent]:
        """Append events to a stream at expected_version (0 = new stream), all or nothing.
        Raises ConcurrencyError when the stream's version differs; then nothing is written."""
        return self.append_many([(stream_id, expected_version, events)])[0]

    @abstractmethod
    def append_many(self, appends: Sequence[tuple[str, int, Sequence[NewEvent]]]) -> list[list[StoredEvent]]:
        """Several appends as one, all or nothing: each (stream_id, expected_version, events) is
        checked as append checks it (a stream named twice: its later entry expects the version the
        earlier one leaves). Raises ConcurrencyError for the first mismatch; then nothing is written.
        Returns the stored events of each entry. For bulk loads (history import, benchmarks): one
        transaction instead of one per command."""

    @abstractmethod
    def load_stream(self, stream_id: str) -> list[StoredEvent]:
        """Every event of one stream, by stream_version."""

    @abstractmethod
    def stream_version(self, stream_id: str) -> int:
        """The stream's current version, 0 when it has no event."""

    @abstractmethod
    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[StoredEvent]:
        """Events with position > after_position, in position order, at most limit."""

    @abstractmethod
    def last_position(self) -> int:
        """Position of the newest event, 0 when empty."""

    @abstractmethod
    def unpublished(self, limit: int = 500) -> list[StoredEvent]:
        """Events not yet marked published, in position order (the outbox)."""

    @abstractmethod
    def mark_published(self, positions: Sequence[int]) -> None:
        """Mark these events as published."""

    def lock(self, name: str):
        """As DocumentStore.lock: the lock `name` shared by every process on this store."""
        from ims_common.locks import local_lock
        return local_lock(("store", id(self)), name)

    def close(self) -> None:  # pragma: no cover - adapters override when they hold resources
        pass
