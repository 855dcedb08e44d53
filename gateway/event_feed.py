"""The event feed of the gateway's read cache (gateway/read_cache.py): a thread per gunicorn worker
consuming every booking event from a queue of its own (exclusive, deleted with its connection) and
telling the cache. Started on first use, never at import (nothing connects at import time)."""
from __future__ import annotations

import logging
import socket
import threading
import uuid

from kombu import Connection, Consumer, Exchange, Queue

log = logging.getLogger("gateway.event_feed")


class EventFeed:
    HEARTBEAT = 10          # seconds: a silently dead connection is found within about this
    RETRY_MAX = 10.0

    def __init__(self, amqp_uri: str, cache, exchanges=("booking.events",)):
        self.amqp_uri = amqp_uri
        self.cache = cache
        self.exchanges = exchanges
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
            except Exception as exc:  # broker away, connection reset: no cache until reconnected
                log.warning("gateway event feed lost (%r); the read cache is off until it is back", exc)
            finally:
                self.cache.feed_down()
            self._stop.wait(delay)
            delay = min(delay * 2, self.RETRY_MAX)

    def _consume(self) -> None:
        name = f"gateway.feed.{uuid.uuid4().hex}"
        with Connection(self.amqp_uri, heartbeat=self.HEARTBEAT, connect_timeout=5) as conn:
            channel = conn.channel()
            queues = [Queue(name, Exchange(x, type="topic", durable=True), routing_key="#", exclusive=True,
                            auto_delete=True, channel=channel) for x in self.exchanges]
            with Consumer(channel, queues=queues, callbacks=[self._on_event], no_ack=True, accept=["json"]):
                self.cache.feed_up()       # bound: from here on every event reaches us
                log.info("gateway event feed connected (%s)", name)
                while not self._stop.is_set():
                    try:
                        conn.drain_events(timeout=1)
                    except socket.timeout:
                        conn.heartbeat_check()

    def _on_event(self, body, message) -> None:
        self.cache.changed()
