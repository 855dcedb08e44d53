"""The event store port. Every adapter passes ims_common/tests/test_eventstore_contract.py."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Sequence

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


class EventStore(ABC):
    """Append-only store of event streams; the stored events double as the outbox."""

    @abstractmethod
    def append(self, stream_id: str, expected_version: int, events: Sequence[NewEvent]) -> list[StoredEvent]:
        """Append events to a stream at expected_version (0 = new stream), all or nothing.
        Raises ConcurrencyError when the stream's version differs; then nothing is written."""

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

    def close(self) -> None:  # pragma: no cover - adapters override when they hold resources
        pass
