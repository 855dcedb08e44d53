"""The gateway's cache of booking lists (DESIGN.md section 4: "a cache it keeps for speed is disposable,
fed by events, and never shows a user less than they wrote").

An interpreter reloading their list, or a page polling it, asks for the same thing many times
between two booking changes (a few thousand events a day): each answer is kept per caller and query
and served again until something could have changed it. Every entry is dropped at once:
- when any booking event arrives on the gateway's feed (gateway/event_feed.py): what booking's own
  timers or another gateway changed;
- when a booking command goes through any worker of this gateway (WriteMark, a counter the workers
  share in a memory-mapped file): the writer's next list never waits for the event to arrive;
- after TTL seconds, a last safety net.
Nothing is cached while the feed is not connected (starting, broker away): a missed event could
otherwise leave a list stale. An answer computed while a change happened is not kept.
"""
from __future__ import annotations

import fcntl
import json
import mmap
import os
import struct
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Optional

try:
    import orjson
except ImportError:  # pragma: no cover - the standard library does the same, slower
    orjson = None

# What the cache keeps: the booking service's list answers. Any other booking method but these
# reads may change a list (create_booking, execute and whatever comes next): it drops the cache.
CACHED = {("booking", "list_bookings")}
READS = {"booking": {"list_bookings", "get_booking", "assigned_contact", "get_attachment", "events_since",
                     "public_events_since", "health", "candidates", "to_assign", "interpreter_profiles"}}
FEED_EXCHANGES = ("booking.events",)
_COUNTER = struct.Struct("<Q")


def dumps(value) -> bytes:
    return orjson.dumps(value) if orjson is not None else json.dumps(value).encode()


def _loads(data: bytes):
    return orjson.loads(data) if orjson is not None else json.loads(data)


class WriteMark:
    """A counter shared by the processes that open the same file (the gunicorn workers of one
    gateway): bumped after each write, read before and after each cached answer."""

    def __init__(self, path: str):
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._fd).st_size < _COUNTER.size:
            os.ftruncate(self._fd, _COUNTER.size)
        self._map = mmap.mmap(self._fd, _COUNTER.size)

    def read(self) -> int:
        return _COUNTER.unpack_from(self._map, 0)[0]

    def bump(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_EX)      # the workers' increments never overwrite each other
        try:
            _COUNTER.pack_into(self._map, 0, (self.read() + 1) % 2**64)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self._map.close()
        os.close(self._fd)


class ReadCache:
    def __init__(self, mark: Optional[WriteMark] = None, max_entries: int = 2000, ttl: float = 60.0,
                 clock: Callable[[], float] = time.monotonic):
        self.mark = mark
        self.max_entries = max_entries
        self.ttl = ttl
        self.clock = clock
        self.connected = False       # the event feed's state: nothing is cached without it
        self._generation = 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    # --- what the event feed calls ---------------------------------------------------------------

    def feed_up(self) -> None:
        """The feed is (re)connected: what happened while it was away is unknown, start empty."""
        with self._lock:
            self._drop_all()
            self.connected = True

    def feed_down(self) -> None:
        with self._lock:
            self.connected = False
            self._drop_all()

    def changed(self) -> None:
        """An event, or a write through this process: every answer kept may be stale."""
        with self._lock:
            self._drop_all()

    def _drop_all(self) -> None:
        self._generation += 1
        self._entries.clear()

    # --- what the service client calls ----------------------------------------------------------

    def call(self, service: str, method: str, args: tuple, compute: Callable[[], Any]) -> Any:
        """compute()'s answer to this call: a kept one for a cached list, and every kept answer
        dropped after anything but a known read (even a failed or timed-out one may have written)."""
        if (service, method) in CACHED and (key := caller_key(method, args)) is not None:
            return _loads(self._through(key, compute))    # a fresh copy: callers may change what they get
        if service not in READS or method in READS[service]:
            return compute()
        try:
            return compute()
        finally:
            if self.mark is not None:
                self.mark.bump()
            self.changed()

    def call_json(self, service: str, method: str, args: tuple, compute: Callable[[], Any]) -> bytes:
        """As call, the answer as JSON bytes: a kept list is served as it was kept, without being
        parsed and serialised again on each request (what the JSON API's lists use)."""
        if (service, method) in CACHED and (key := caller_key(method, args)) is not None:
            return self._through(key, compute)
        return dumps(self.call(service, method, args, compute))

    def _through(self, key: tuple, compute: Callable[[], Any]) -> bytes:
        """The kept answer for key, or compute()'s, kept when nothing changed while computing it."""
        stamp = self._stamp()
        if stamp is not None:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None and entry[0] == stamp and self.clock() - entry[1] < self.ttl:
                    self._entries.move_to_end(key)
                    return entry[2]
        data = dumps(compute())
        if stamp is not None:
            with self._lock:
                if self._stamp() == stamp:
                    self._entries[key] = (stamp, self.clock(), data)
                    self._entries.move_to_end(key)    # a replaced (expired) entry is the newest too
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
        return data

    def _stamp(self) -> Optional[tuple[int, int]]:
        if not self.connected:
            return None
        return self._generation, (self.mark.read() if self.mark else 0)


def caller_key(method: str, args: tuple) -> Optional[tuple]:
    """The cache key of a list call: what decides what the caller may see (booking's scope: user,
    role, establishment) and the query, or None when the call does not have that shape."""
    if len(args) != 2 or not isinstance(args[0], dict) or not isinstance(args[1], dict):
        return None
    actor, query = args
    try:
        text = orjson.dumps(query, option=orjson.OPT_SORT_KEYS) if orjson is not None else \
            json.dumps(query, sort_keys=True)
    except (TypeError, ValueError):
        return None
    return method, actor.get("user_id"), actor.get("role"), actor.get("establishment"), text
