"""SQLite blob store: a table `blobs` in the service's file."""
from __future__ import annotations

import sqlite3
from typing import Optional

from ims_common.blobstore.port import DEFAULT_CONTENT_TYPE, Blob, BlobStore, check_put
from ims_common.stores import sqlite_connect


class SqliteBlobStore(BlobStore):
    def __init__(self, path: str):
        self._conn, self._lock = sqlite_connect(path)
        with self._lock:
            self._conn.execute("CREATE TABLE IF NOT EXISTS blobs (key TEXT PRIMARY KEY, "
                               "content_type TEXT NOT NULL, filename TEXT, data BLOB NOT NULL)")

    def put(self, key, data, content_type=DEFAULT_CONTENT_TYPE, filename=None) -> None:
        data = check_put(key, data)
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
