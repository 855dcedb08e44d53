"""Locks shared by the processes of one service: two booking (payroll, notification…) processes
side by side on the same stores must not run the same projector, relay or delivery loop at once.

`store.lock(name)` (document and event store ports) gives the StoreLock of that name on that store:
one object per (store, name) in a process, re-entrant in the thread (greenlet) that holds it, and
exclusive among every process using the store:
- SQLite: an advisory file lock (flock) on `<database>-locks/<name>.lock` beside the database. The
  kernel drops it when its holder dies, whatever kills it: the other process takes over at once.
- MongoDB: a lease, a document of the `locks` collection naming its holder until an expiry
  (LEASE_SECONDS). A holder that dies keeps it until the expiry; a holder renews it (`keep()`) as it
  goes and stops, raising LockLost, when another process took it meanwhile.
- A store that lives in one process (mongomock): the thread lock alone.

Waiting polls (a few milliseconds, growing to POLL_MAX): time.sleep is green under eventlet, so a
waiting greenlet never blocks the others of its process."""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import threading
import time
import uuid
from typing import Callable, Iterator, Optional

LEASE_SECONDS = 30.0
POLL_MIN, POLL_MAX = 0.002, 0.05
_NAME = re.compile(r"\A[a-z0-9][a-z0-9._-]{0,119}\Z")


class LockTimeout(TimeoutError):
    """The lock stayed held by another holder past the deadline."""


class LockLost(RuntimeError):
    """A lease expired and another process holds it now: stop before writing more."""


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"invalid lock name {name!r}")
    return name


class _Local:
    """Held across processes by nobody but this process: nothing to take."""

    def try_take(self) -> bool:
        return True

    def keep(self) -> None:
        pass

    def give_back(self) -> None:
        pass


class _FileLock:
    def __init__(self, path: str):
        self._path = path
        self._fd: Optional[int] = None

    def try_take(self) -> bool:
        if self._fd is None:
            os.makedirs(os.path.dirname(self._path), exist_ok=True)
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return False
            raise

    def keep(self) -> None:
        pass      # the kernel holds it for as long as the process lives

    def give_back(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)


class _Lease:
    """A lease document {_id: name, owner, expires} (seconds since the epoch, the holders' clocks:
    keep the application hosts on NTP). Taken when absent, expired, or already ours."""

    def __init__(self, collection, name: str, seconds: float = LEASE_SECONDS,
                 clock: Callable[[], float] = time.time):
        self._coll, self._name, self._seconds, self._clock = collection, name, seconds, clock
        self._owner = uuid.uuid4().hex
        self._renewed = 0.0

    def try_take(self) -> bool:
        from pymongo.errors import DuplicateKeyError
        now = self._clock()
        try:
            self._coll.find_one_and_update(
                {"_id": self._name, "$or": [{"owner": self._owner}, {"expires": {"$lt": now}}]},
                {"$set": {"owner": self._owner, "expires": now + self._seconds}}, upsert=True)
        except DuplicateKeyError:
            return False      # there and not ours: held by another process
        self._renewed = now
        return True

    def keep(self) -> None:
        now = self._clock()
        if now - self._renewed < self._seconds / 3:
            return
        done = self._coll.update_one({"_id": self._name, "owner": self._owner},
                                     {"$set": {"expires": now + self._seconds}})
        if done.matched_count != 1:
            raise LockLost(f"lease {self._name} expired and was taken by another process")
        self._renewed = now

    def give_back(self) -> None:
        self._coll.delete_one({"_id": self._name, "owner": self._owner})


class StoreLock:
    """See the module docstring. `with lock:` waits as long as it takes; `hold(timeout)` raises
    LockTimeout after `timeout` seconds; `attempt()` yields False at once when another holds it."""

    def __init__(self, name: str, across):
        self.name = check_name(name)
        self._across = across
        self._thread_lock = threading.RLock()
        self._depth = 0

    def acquire(self, timeout: Optional[float] = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        if timeout is None:
            self._thread_lock.acquire()
        elif not (self._thread_lock.acquire(blocking=False) if timeout <= 0
                  else self._thread_lock.acquire(timeout=timeout)):
            return False
        if self._depth:
            self._depth += 1
            return True
        pause = POLL_MIN
        try:
            while not self._across.try_take():
                if deadline is not None and time.monotonic() >= deadline:
                    self._thread_lock.release()
                    return False
                time.sleep(pause)
                pause = min(POLL_MAX, pause * 2)
        except BaseException:
            self._thread_lock.release()
            raise
        self._depth = 1
        return True

    def release(self) -> None:
        self._depth -= 1
        try:
            if self._depth == 0:
                self._across.give_back()
        finally:
            self._thread_lock.release()

    def keep(self) -> None:
        """For a long hold: renews a lease (LockLost when it was lost); nothing for a file lock."""
        self._across.keep()

    def __enter__(self) -> "StoreLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    @contextlib.contextmanager
    def hold(self, timeout: float) -> Iterator["StoreLock"]:
        if not self.acquire(timeout):
            raise LockTimeout(f"lock {self.name} still held by another process after {timeout:g} s")
        try:
            yield self
        finally:
            self.release()

    @contextlib.contextmanager
    def attempt(self) -> Iterator[bool]:
        taken = self.acquire(timeout=0)
        try:
            yield taken
        finally:
            if taken:
                self.release()


_registry: dict[tuple, StoreLock] = {}
_registry_guard = threading.Lock()


def _shared(key: tuple, name: str, make_across) -> StoreLock:
    with _registry_guard:
        lock = _registry.get(key)
        if lock is None:
            lock = _registry[key] = StoreLock(name, make_across())
        return lock


def sqlite_lock(database_path: str, name: str) -> StoreLock:
    path = os.path.realpath(database_path)
    check_name(name)
    return _shared(("sqlite", path, name), name, lambda: _FileLock(f"{path}-locks/{name}.lock"))


def lease_lock(db, name: str) -> StoreLock:
    """On a MongoDB database (the client is shared per store URL: stores.py)."""
    check_name(name)
    return _shared(("mongodb", id(db.client), db.name, name), name, lambda: _Lease(db["locks"], name))


def local_lock(place: tuple, name: str) -> StoreLock:
    """For a store whose data lives in this process (mongomock: `place` names its database)."""
    check_name(name)
    return _shared(("local", *place, name), name, _Local)
