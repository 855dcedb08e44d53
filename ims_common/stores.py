"""Open a service's stores from its store URL (the same URL for all three):

  sqlite:////abs/path/file.sqlite3   (or sqlite:///relative/path)   one file, standard library
  mongodb://host:27017/dbname                                       pymongo, attachments in GridFS
  mongomock://dbname                                                in-memory, shared per URL in the process

Adapters are imported on use, so importing this module never imports pymongo nor connects.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from urllib.parse import urlsplit

SQLITE_BUSY_SECONDS = 30.0

_registry_lock = threading.Lock()
_sqlite_locks: dict[str, threading.RLock] = {}
_mongo_clients: dict[str, list] = {}       # url -> [client, users]
_mongomock_client = None  # one per process, never closed: the data lives in it


def open_event_store(url: str):
    kind, target = _parse(url)
    if kind == "sqlite":
        from ims_common.eventstore.sqlite import SqliteEventStore
        return SqliteEventStore(target)
    from ims_common.eventstore.mongo import MongoEventStore
    transactions = None if kind == "mongodb" else False  # None: ask the server
    return _on_mongo(kind, url, lambda db, release: MongoEventStore(db, transactions, on_close=release,
                                                                    locks=_locks(kind, db)))


def open_document_store(url: str, durable: bool = True):
    """`durable=False`: the documents can all be derived again (read models, checkpoints), so a
    commit need not reach the disk before it returns (SQLite only; see sqlite_connect)."""
    kind, target = _parse(url)
    if kind == "sqlite":
        from ims_common.docstore.sqlite import SqliteDocumentStore
        return SqliteDocumentStore(target, durable=durable)
    from ims_common.docstore.mongo import MongoDocumentStore
    return _on_mongo(kind, url, lambda db, release: MongoDocumentStore(db, on_close=release,
                                                                       locks=_locks(kind, db)))


def open_blob_store(url: str):
    kind, target = _parse(url)
    if kind == "sqlite":
        from ims_common.blobstore.sqlite import SqliteBlobStore
        return SqliteBlobStore(target)
    from ims_common.blobstore.mongo import MongoBlobStore
    if kind == "mongomock":
        _enable_mongomock_gridfs()
    return _on_mongo(kind, url, lambda db, release: MongoBlobStore(db, on_close=release))


def _parse(url: str) -> tuple[str, str]:
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if not path:
            raise ValueError(f"no file in store URL {url!r}")
        return "sqlite", os.path.abspath(path)
    scheme = urlsplit(url).scheme
    if scheme in ("mongodb", "mongodb+srv"):
        return "mongodb", url
    if scheme == "mongomock":
        return "mongomock", url
    raise ValueError(f"unsupported store URL {url!r}")


# --- SQLite -------------------------------------------------------------------------------------

def sqlite_connect(path: str, durable: bool = True) -> tuple[sqlite3.Connection, threading.RLock]:
    """A connection to the file and the process-wide lock of that file.

    Every store on the file takes the lock around each operation, so threads and greenlets of this
    process never contend inside SQLite (a greenlet waiting on SQLite's busy handler would block the
    whole eventlet hub); busy_timeout covers other processes (a CLI beside the running service).
    WAL lets readers of other processes run beside the writer. synchronous=FULL: a committed event
    may already be published, so it must survive a power loss (NORMAL could lose it and hand its
    position to another event). `durable=False` (synchronous=NORMAL, no fsync per commit; WAL keeps
    the file consistent and a power loss can only drop the latest commits) is for stores holding only
    what can be derived again, e.g. a service's read models and checkpoints."""
    path = os.path.abspath(path)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with _registry_lock:
        lock = _sqlite_locks.setdefault(os.path.realpath(path), threading.RLock())
    with lock:
        conn = sqlite3.connect(path, timeout=SQLITE_BUSY_SECONDS, isolation_level=None,
                               check_same_thread=False)  # greenlets look like threads to sqlite3
        conn.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_SECONDS * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
    return conn, lock


# --- MongoDB ------------------------------------------------------------------------------------

def _locks(kind: str, db):
    """mongomock's data lives in this process: a thread lock per database is enough (and exact)."""
    if kind != "mongomock":
        return None
    from ims_common.locks import local_lock
    return lambda name: local_lock(("mongomock", db.name), name)


def _on_mongo(kind: str, url: str, make):
    db, release = _mongo_db(kind, url)
    try:
        return make(db, release)
    except BaseException:
        release()  # e.g. the server is down: the shared client is not kept for nothing
        raise


def _mongo_db(kind: str, url: str):
    """The database of the URL on a client shared per URL, and a release function for close()."""
    if kind == "mongomock":
        import mongomock
        name = url[len("mongomock://"):].strip("/")
        if not name:
            raise ValueError(f"no database in store URL {url!r}")
        global _mongomock_client
        with _registry_lock:
            if _mongomock_client is None:
                _mongomock_client = mongomock.MongoClient()
        return _mongomock_client[name], lambda: None

    import pymongo
    with _registry_lock:
        entry = _mongo_clients.get(url)
        if entry is None:
            entry = _mongo_clients[url] = [pymongo.MongoClient(url), 0]
        entry[1] += 1
        client = entry[0]
    try:
        db = client.get_default_database()
    except Exception:
        _release_mongo(url)
        raise ValueError(f"no database in store URL {url!r}") from None
    released = []

    def release():
        if not released:  # close() twice releases once
            released.append(True)
            _release_mongo(url)

    return db, release


def _release_mongo(url: str) -> None:
    with _registry_lock:
        entry = _mongo_clients.get(url)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] <= 0:
            del _mongo_clients[url]
            entry[0].close()


_gridfs_enabled = False


def _enable_mongomock_gridfs() -> None:
    """gridfs refuses mongomock databases unless mongomock widens its type checks (test URLs only)."""
    global _gridfs_enabled
    with _registry_lock:
        if not _gridfs_enabled:
            import mongomock.gridfs
            mongomock.gridfs.enable_gridfs_integration()
            _gridfs_enabled = True
