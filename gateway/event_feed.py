"""The gateway's event feed: a thread per gunicorn worker consuming, from a queue of its own (exclusive,
deleted with its connection),
- auth's revocations (SessionsRevoked, SystemTokenRevoked on auth.events) for the revocation view
  (gateway/revocations.py): on each (re)connection the view first loads the revocations still in
  force from auth, once the queue is bound, retried until auth answers;
- every booking event, for the read cache (gateway/read_cache.py), when there is one.
Started on first use, or by the gunicorn worker at start-up (deploy/gunicorn.conf.py), never at
import (nothing connects at import time)."""
from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Callable, Optional

from kombu import Connection, Consumer, Exchange, Queue, binding

from services.auth.contract.events import REVOCATIONS, upcast
from services.auth.contract.rpc import SERVICE as AUTH

log = logging.getLogger("gateway.event_feed")
AUTH_EXCHANGE = f"{AUTH}.events"


class EventFeed:
    HEARTBEAT = 10          # seconds: a silently dead connection is found within about this
    RETRY_MAX = 10.0
    LOAD_RETRY = 1.0        # seconds between two tries of loading the revocations in force

    def __init__(self, amqp_uri: str, cache=None, exchanges=("booking.events",), revocations=None,
                 load_revocations: Optional[Callable[[], list]] = None):
        """cache: the read cache fed by `exchanges` (None: no cache). revocations: the view fed by
        auth's revocation events, loaded by `load_revocations()` (auth.revocations_in_force)."""
        self.amqp_uri = amqp_uri
        self.cache = cache
        self.exchanges = tuple(exchanges) if cache is not None else ()
        self.revocations = revocations
        self.load_revocations = load_revocations
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._start_lock = threading.Lock()

    def ensure_started(self) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="gateway-event-feed", daemon=True)
                    self._thread.start()

    def stop(self, timeout: float = 5) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            try:
                self._consume()
                delay = 0.5
            except Exception as exc:  # broker away, connection reset: no cache, revocations on their grace
                log.warning("gateway event feed lost (%r); read cache off, revocations on their last view", exc)
            finally:
                if self.cache is not None:
                    self.cache.feed_down()
                if self.revocations is not None:
                    self.revocations.feed_lost()
            self._stop.wait(delay)
            delay = min(delay * 2, self.RETRY_MAX)

    def _bindings(self) -> list:
        out = [binding(Exchange(x, type="topic", durable=True), routing_key="#") for x in self.exchanges]
        if self.revocations is not None:
            auth = Exchange(AUTH_EXCHANGE, type="topic", durable=True)
            out += [binding(auth, routing_key=event_type) for event_type in REVOCATIONS]
        return out

    def _consume(self) -> None:
        name = f"gateway.feed.{uuid.uuid4().hex}"
        with Connection(self.amqp_uri, heartbeat=self.HEARTBEAT, connect_timeout=5) as conn:
            channel = conn.channel()
            queue = Queue(name, bindings=self._bindings(), exclusive=True, auto_delete=True, channel=channel)
            with Consumer(channel, queues=[queue], callbacks=[self._on_event], no_ack=True, accept=["json"]):
                if self.cache is not None:
                    self.cache.feed_up()       # bound: from here on every event reaches us
                log.info("gateway event feed connected (%s)", name)
                next_load = 0.0
                while not self._stop.is_set():
                    loading = self.revocations is not None and not self.revocations.ready
                    if loading and time.monotonic() >= next_load:
                        next_load = time.monotonic() + self.LOAD_RETRY
                        self._load()
                    try:
                        conn.drain_events(timeout=0.25 if loading else 1)
                    except TimeoutError:
                        conn.heartbeat_check()

    def _load(self) -> None:
        try:
            entries = self.load_revocations() if self.load_revocations else []
        except Exception as exc:  # auth not up yet, or busy: tried again shortly
            log.warning("revocations in force not loaded (%r); retrying", exc)
            return
        self.revocations.loaded(entries)

    def _on_event(self, body, message) -> None:
        exchange = (message.delivery_info or {}).get("exchange")
        if exchange == AUTH_EXCHANGE:
            if self.revocations is not None and isinstance(body, dict):
                event = upcast(body)
                self.revocations.apply(event.get("type"), event.get("data"))
        elif self.cache is not None:
            self.cache.changed()
