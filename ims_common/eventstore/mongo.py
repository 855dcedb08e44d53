"""MongoDB event store: one document per event in `events`, positions from a counter document.

Positions must become visible in order: a reader (a projector's catch-up, events_since) that saw
position 10 before 9 was committed would move past 9 for good. So an append holds, across version
check + position allocation + insert, a process-wide lock and the store's "events.append" lock,
shared with every process on the store (ims_common/locks.py: two booking processes side by side
append one at a time). On a replica set an append is one transaction. Without transactions (standalone server,
mongomock) an append is insert_many(ordered) and, if it fails part way, deletes what it inserted
and gives its positions back; the unique index on (stream_id, stream_version) is the last guard
when another process appends anyway.
"""
from __future__ import annotations

import threading
from typing import Callable, Optional, Sequence

from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import OperationFailure, PyMongoError

from ims_common.envelope import NewEvent, StoredEvent
from ims_common.locks import lease_lock
from ims_common.eventstore.port import ConcurrencyError, EventStore, check_versions, checked_appends, numbered

COUNTER_ID = "events.position"
_FIELDS = tuple(StoredEvent.__dataclass_fields__)

_locks: dict[tuple, threading.Lock] = {}
_locks_guard = threading.Lock()


def _append_lock(db) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault((id(db.client), db.name), threading.Lock())


def _event(doc: dict) -> StoredEvent:
    return StoredEvent(**{k: doc.get(k) for k in _FIELDS})


def _doc(e: StoredEvent) -> dict:
    return {"_id": e.event_id, **{k: getattr(e, k) for k in _FIELDS}, "published": False}


def supports_transactions(db) -> bool:
    try:
        hello = db.client.admin.command("hello")
    except OperationFailure:
        hello = db.client.admin.command("ismaster")
    return bool(hello.get("setName")) or hello.get("msg") == "isdbgrid"


class MongoEventStore(EventStore):
    def __init__(self, db, transactions: Optional[bool] = None, on_close: Callable[[], None] = lambda: None,
                 locks: Optional[Callable[[str], object]] = None):
        self._db = db
        self._locks = locks or (lambda name: lease_lock(db, name))
        self._events = db["events"]
        self._counters = db["counters"]
        self._on_close = on_close
        self._lock = _append_lock(db)
        self._events.create_index([("stream_id", ASCENDING), ("stream_version", ASCENDING)], unique=True,
                                  name="stream_version_unique")
        self._events.create_index([("position", ASCENDING)], unique=True, name="position_unique")
        self._events.create_index([("published", ASCENDING), ("position", ASCENDING)], name="outbox")
        # The counter never trails the stored events (e.g. a restored dump without counters).
        self._counters.update_one({"_id": COUNTER_ID}, {"$max": {"value": self._max_position()}}, upsert=True)
        self._transactions = supports_transactions(db) if transactions is None else transactions

    def append_many(self, appends: Sequence[tuple[str, int, Sequence[NewEvent]]]) -> list[list[StoredEvent]]:
        appends = checked_appends(appends)
        with self._lock, self._locks("events.append"):
            try:
                if self._transactions:
                    with self._db.client.start_session() as session:
                        return session.with_transaction(lambda s: self._append(appends, s))
                return self._append(appends, None)
            except PyMongoError:
                first = {}
                for stream_id, expected, _ in appends:
                    first.setdefault(stream_id, expected)
                for stream_id, expected in first.items():
                    actual = self._version(stream_id, None)
                    if actual != expected:  # another process won the race (unique index)
                        raise ConcurrencyError(stream_id, expected, actual) from None
                ids = [e.event_id for _, _, events in appends for e in events]
                if self._events.count_documents({"_id": {"$in": ids}}):
                    raise ValueError("an event with this event_id is already stored") from None
                raise

    def _append(self, appends, session) -> list[list[StoredEvent]]:
        check_versions(appends, lambda stream_id: self._version(stream_id, session))
        count = sum(len(events) for _, _, events in appends)
        if not count:
            return [[] for _ in appends]
        end = self._counters.find_one_and_update({"_id": COUNTER_ID}, {"$inc": {"value": count}},
                                                 upsert=True, return_document=ReturnDocument.AFTER,
                                                 session=session)["value"]
        per_append = numbered(appends, end - count)
        docs = [_doc(e) for mine in per_append for e in mine]
        try:
            self._events.insert_many(docs, ordered=True, session=session)
        except PyMongoError:
            if session is None:  # a transaction undoes itself
                self._undo(docs, end)
            raise
        return per_append

    def _undo(self, docs: list[dict], end: int) -> None:
        """Remove this append's documents (never another's with the same _id), then free its positions."""
        try:
            self._events.delete_many({"_id": {"$in": [d["_id"] for d in docs]},
                                      "position": {"$in": [d["position"] for d in docs]}})
        except PyMongoError:
            return  # positions stay consumed: a gap, never a reuse
        self._counters.update_one({"_id": COUNTER_ID, "value": end}, {"$inc": {"value": -len(docs)}})

    def load_stream(self, stream_id: str) -> list[StoredEvent]:
        cursor = self._events.find({"stream_id": stream_id}).sort("stream_version", ASCENDING)
        return [_event(d) for d in cursor]

    def stream_version(self, stream_id: str) -> int:
        return self._version(stream_id, None)

    def read_all(self, after_position: int = 0, limit: int = 1000) -> list[StoredEvent]:
        return self._page({"position": {"$gt": int(after_position)}}, limit)

    def last_position(self) -> int:
        return self._max_position()

    def unpublished(self, limit: int = 500) -> list[StoredEvent]:
        return self._page({"published": False}, limit)

    def mark_published(self, positions: Sequence[int]) -> None:
        positions = [int(p) for p in positions]
        if positions:
            self._events.update_many({"position": {"$in": positions}}, {"$set": {"published": True}})

    def lock(self, name: str):
        return self._locks(name)

    def close(self) -> None:
        self._on_close()

    def _page(self, query: dict, limit: int) -> list[StoredEvent]:
        limit = int(limit)
        if limit <= 0:
            return []  # limit(0) means "no limit" to MongoDB
        return [_event(d) for d in self._events.find(query).sort("position", ASCENDING).limit(limit)]

    def _version(self, stream_id: str, session) -> int:
        doc = self._events.find_one({"stream_id": stream_id}, sort=[("stream_version", -1)],
                                    projection={"stream_version": 1}, session=session)
        return doc["stream_version"] if doc else 0

    def _max_position(self) -> int:
        doc = self._events.find_one({}, sort=[("position", -1)], projection={"position": 1})
        return doc["position"] if doc else 0
