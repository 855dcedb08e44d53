"""Blob store: attachment contents, apart from the events that describe them.

Port, SQLite adapter (a table in the service's file) and MongoDB adapter (GridFS, bucket `blobs`).
Blobs are written once under a key the caller chose (e.g. the attachment id); put() on an existing key
replaces it, so a retried command stays harmless.
"""
from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Callable, Optional

from ims_common.stores import sqlite_connect

DEFAULT_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class Blob:
    key: str
    data: bytes
    content_type: str
    filename: Optional[str]

    @property
    def size(self) -> int:
        return len(self.data)


class BlobStore(ABC):
    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str = DEFAULT_CONTENT_TYPE,
            filename: Optional[str] = None) -> None:
        """Store data under key (insert or replace)."""

    @abstractmethod
    def get(self, key: str) -> Optional[Blob]:
        """The blob, or None."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the blob; nothing happens when it is absent."""

    def close(self) -> None:  # pragma: no cover
        pass


def _check(key, data) -> bytes:
    if not isinstance(key, str) or not key:
        raise ValueError("key must be a non-empty string")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("data must be bytes")
    return bytes(data)


class SqliteBlobStore(BlobStore):
    def __init__(self, path: str):
        self._conn, self._lock = sqlite_connect(path)
        with self._lock:
            self._conn.execute("CREATE TABLE IF NOT EXISTS blobs (key TEXT PRIMARY KEY, "
                               "content_type TEXT NOT NULL, filename TEXT, data BLOB NOT NULL)")

    def put(self, key, data, content_type=DEFAULT_CONTENT_TYPE, filename=None) -> None:
        data = _check(key, data)
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO blobs (key, content_type, filename, data) "
                               "VALUES (?, ?, ?, ?)", (key, content_type, filename, sqlite3.Binary(data)))

    def get(self, key) -> Optional[Blob]:
        with self._lock:
            row = self._conn.execute("SELECT content_type, filename, data FROM blobs WHERE key = ?",
                                     (key,)).fetchone()
        return Blob(key, bytes(row[2]), row[0], row[1]) if row else None

    def exists(self, key) -> bool:
        with self._lock:
            return self._conn.execute("SELECT 1 FROM blobs WHERE key = ?", (key,)).fetchone() is not None

    def delete(self, key) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM blobs WHERE key = ?", (key,))

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class MongoBlobStore(BlobStore):
    """GridFS with the key as the file's _id; content type and filename in its metadata."""

    def __init__(self, db, on_close: Callable[[], None] = lambda: None):
        import gridfs
        self._fs = gridfs.GridFS(db, collection="blobs")
        self._on_close = on_close

    def put(self, key, data, content_type=DEFAULT_CONTENT_TYPE, filename=None) -> None:
        data = _check(key, data)
        self._fs.delete(key)  # GridFS refuses an existing _id; a reader may briefly miss a replaced blob
        self._fs.put(data, _id=key, filename=filename, metadata={"content_type": content_type})

    def get(self, key) -> Optional[Blob]:
        import gridfs
        try:
            out = self._fs.get(key)
        except gridfs.NoFile:
            return None
        meta = out.metadata or {}
        return Blob(key, out.read(), meta.get("content_type", DEFAULT_CONTENT_TYPE), out.filename)

    def exists(self, key) -> bool:
        return self._fs.exists(key)

    def delete(self, key) -> None:
        self._fs.delete(key)

    def close(self) -> None:
        self._on_close()
