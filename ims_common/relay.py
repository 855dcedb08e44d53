"""The outbox relay: publishes the event store's unpublished events to RabbitMQ, in position order,
and marks them once the broker has confirmed them.

Delivery is at least once: a crash (or a lost confirm) after publishing but before marking publishes
those events again on the next run. Consumers are idempotent by event_id / position (DESIGN.md 4).
On the happy path each event is published exactly once.

Processes side by side on one store (two booking processes) each run a relay: they take turns on
the store's "relay" lock (ims_common/locks.py), so one publishes at a time, in position order, and
an event is not published twice because two relays read it unpublished at once.
"""
from __future__ import annotations

import threading
from typing import Callable, Optional, Protocol, Sequence

from kombu import Connection, Exchange, Producer

from ims_common.envelope import StoredEvent
from ims_common.eventstore.port import EventStore


class Publisher(Protocol):
    def publish(self, event: StoredEvent) -> None:
        """Return once the broker has confirmed the event; raise otherwise."""


class OutboxRelay:
    TURN_WAIT = 2.0    # seconds to wait for another process's relay to finish its run

    def __init__(self, event_store: EventStore, publisher: Publisher):
        self._store = event_store
        self._publisher = publisher
        self._lock = threading.Lock()  # two concurrent runs would publish the same events twice
        self._turn = event_store.lock("relay")

    def publish_pending(self, limit: int = 500) -> int:
        """Publish up to limit unpublished events; returns how many were published and marked
        (0 when another process's relay kept its turn: that one publishes them)."""
        with self._lock:
            if not self._turn.acquire(timeout=self.TURN_WAIT):
                return 0
            done: list[int] = []
            try:
                for event in self._store.unpublished(limit):
                    self._publisher.publish(event)
                    done.append(event.position)
                    self._turn.keep()
            finally:
                try:
                    # Mark what the broker confirmed, even when a later publish failed: fewer repeats.
                    if done:
                        self._store.mark_published(done)
                finally:
                    self._turn.release()
            return len(done)

    def close(self) -> None:
        close = getattr(self._publisher, "close", None)
        if close:
            close()


class KombuPublisher:
    """Publishes each envelope (StoredEvent.to_dict(), as JSON) to a durable topic exchange with
    routing key = event type: what nameko's `@event_handler("<service>", "<type>")` consumes (nameko
    names the exchange "<service>.events", topic, durable). Headers carry event_id, type, stream_id
    and position, plain and with nameko's "nameko." prefix, which nameko strips into worker_ctx.data.
    """

    RETRY = {"max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 2}

    def __init__(self, amqp_uri: str, exchange_name: str, connect_timeout: float = 5,
                 public: Sequence[tuple[str, Callable[[dict], Optional[dict]]]] = ()):
        self.exchange = Exchange(exchange_name, type="topic", durable=True, auto_delete=False,
                                 delivery_mode=2)
        # (exchange name, projection) pairs: each event's projection (None: not published there) goes
        # to a further topic exchange for outside subscribers (booking: docs/events/README.md), one
        # exchange per grant (booking.public, booking.public.context).
        self.public = [(Exchange(name, type="topic", durable=True, auto_delete=False, delivery_mode=2), project)
                       for name, project in public]
        self._uri = amqp_uri
        self._connect_timeout = connect_timeout
        self._connection = None
        self._producer = None

    def publish(self, event: StoredEvent) -> None:
        headers = {"event_id": event.event_id, "type": event.type, "stream_id": event.stream_id,
                   "position": event.position}
        headers.update({f"nameko.{k}": v for k, v in list(headers.items())})
        # retry: kombu's ensure() reconnects and revives the channel on connection errors
        # (a message whose confirm was lost may so reach the broker twice: at least once).
        self._get_producer().publish(
            event.to_dict(), exchange=self.exchange, routing_key=event.type, serializer="json",
            delivery_mode=2, message_id=event.event_id, headers=headers, declare=[self.exchange],
            retry=True, retry_policy=self.RETRY)
        plain = {k: v for k, v in headers.items() if not k.startswith("nameko.")}
        for exchange, project in self.public:
            body = project(event.to_dict())
            if body is not None:
                self._get_producer().publish(
                    body, exchange=exchange, routing_key=body["type"], serializer="json",
                    delivery_mode=2, message_id=event.event_id, headers=plain,
                    declare=[exchange], retry=True, retry_policy=self.RETRY)

    def _get_producer(self) -> Producer:
        if self._producer is None:
            self._connection = Connection(
                self._uri, connect_timeout=self._connect_timeout,
                transport_options={"confirm_publish": True, **self.RETRY})
            self._producer = Producer(self._connection)  # lazy: connects on the first publish
        return self._producer

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.release()
            finally:
                self._connection = self._producer = None
