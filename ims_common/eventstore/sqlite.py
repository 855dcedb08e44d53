"""SQLite event store: one row per event; an append is one IMMEDIATE transaction, so it is all or
nothing and positions (max + 1 inside that transaction) never leave a gap."""
from __future__ import annotations

import json
import sqlite3
from typing import Sequence

from ims_common.envelope import NewEvent, StoredEvent

try:
    import orjson   # decodes several times faster: reads (replays, rebuilds) are mostly decoding
except ImportError:  # pragma: no cover - the standard library does the same, slower
    orjson = None
from ims_common.eventstore.port import EventStore, check_versions, checked_appends, numbered
from ims_common.locks import sqlite_lock
from ims_common.stores import sqlite_connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    position       INTEGER PRIMARY KEY,
    event_id       TEXT NOT NULL UNIQUE,
    type           TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    stream_id      TEXT NOT NULL,
    stream_version INTEGER NOT NULL,
    occurred_at    TEXT NOT NULL,
    actor          TEXT NOT NULL,
    correlation_id TEXT,
    causation_id   TEXT,
    data           TEXT NOT NULL,
    published      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (stream_id, stream_version)
);
CREATE INDEX IF NOT EXISTS events_unpublished ON events (position) WHERE published = 0;
"""
_COLUMNS = ("event_id, type, schema_version, stream_id, stream_version, position, occurred_at, actor, "
            "correlation_id, causation_id, data")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _loads(text: str):
    if orjson is not None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass          # what only the standard library reads (NaN, integers past 64 bits)
    return json.loads(text)


def _row(e: StoredEvent) -> tuple:
    """The row of an event, in the order of _COLUMNS."""
    return (e.event_id, e.type, e.schema_version, e.stream_id, e.stream_version, e.position, e.occurred_at,
            _dumps(e.actor), e.correlation_id, e.causation_id, _dumps(e.data))


def _event(row) -> StoredEvent:
    (event_id, type_, schema_version, stream_id, stream_version, position, occurred_at, actor,
     correlation_id, causation_id, data) = row
    return StoredEvent(event_id, type_, schema_version, stream_id, stream_version, position, occurred_at,
                       _loads(actor), correlation_id, causation_id, _loads(data))


class SqliteEventStore(EventStore):
    def __init__(self, path: str):
        self._path = path
        self._conn, self._lock = sqlite_connect(path)
        with self._lock:
            self._conn.executescript(_SCHEMA)

    def append_many(self, appends: Sequence[tuple[str, int, Sequence[NewEvent]]]) -> list[list[StoredEvent]]:
        appends = checked_appends(appends)
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")  # the write lock first: the versions read below stay true
            try:
                check_versions(appends, self._version)
                last = conn.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()[0]
                per_append = [[_row(e) for e in mine] for mine in numbered(appends, last)]
                conn.executemany(f"INSERT INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 [row for mine in per_append for row in mine])
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.IntegrityError) and "event_id" in str(exc):
                    raise ValueError("an event with this event_id is already stored") from exc
                raise
        return [[_event(r) for r in mine] for mine in per_append]  # decoded: what readers will see

    def load_stream(self, stream_id: str) -> list[StoredEvent]:
        return self._query(f"SELECT {_COLUMNS} FROM events WHERE stream_id = ? ORDER BY stream_version",
                           (stream_id,))

    def stream_version(self, stream_id: str) -> int:
        with self._lock:
            return self._version(stream_id)

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[StoredEvent]:
        return self._query(f"SELECT {_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?",
                           (int(after_position), max(0, int(limit))))

    def last_position(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COALESCE(MAX(position), 0) FROM events").fetchone()[0]

    def unpublished(self, limit: int = 500) -> list[StoredEvent]:
        return self._query(f"SELECT {_COLUMNS} FROM events WHERE published = 0 ORDER BY position LIMIT ?",
                           (max(0, int(limit)),))

    def mark_published(self, positions: Sequence[int]) -> None:
        rows = [(int(p),) for p in positions]
        if not rows:
            return
        with self._lock:
            conn = self._conn
            # A mark lost to a power loss only republishes those events (delivery is at least once,
            # consumers dedupe): no fsync for it, only appends wait for the disk.
            conn.execute("PRAGMA synchronous = NORMAL")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.executemany("UPDATE events SET published = 1 WHERE position = ?", rows)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            finally:
                conn.execute("PRAGMA synchronous = FULL")

    def lock(self, name: str):
        return sqlite_lock(self._path, name)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _version(self, stream_id: str) -> int:
        row = self._conn.execute("SELECT MAX(stream_version) FROM events WHERE stream_id = ?",
                                 (stream_id,)).fetchone()
        return row[0] or 0

    def _query(self, sql: str, params: tuple) -> list[StoredEvent]:
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [_event(r) for r in rows]
