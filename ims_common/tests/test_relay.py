"""The outbox relay on the real RabbitMQ, each test on a vhost of its own, consumed with plain kombu."""
from __future__ import annotations

import time
import uuid

import pytest
from kombu import Connection, Consumer, Exchange, Queue

from ims_common.envelope import NewEvent
from ims_common.relay import KombuPublisher, OutboxRelay
from ims_common.stores import open_event_store
from ims_common.testing.rabbit import close_connections, isolated_amqp_uri  # noqa: F401 (fixture)

EXCHANGE = "booking.events"


@pytest.fixture
def store(tmp_path):
    store = open_event_store(f"sqlite:///{tmp_path / 'booking.sqlite3'}")
    yield store
    store.close()


@pytest.fixture
def publisher(isolated_amqp_uri):
    publisher = KombuPublisher(isolated_amqp_uri, EXCHANGE)
    yield publisher
    publisher.close()


class Collector:
    """A queue bound to every routing key of the exchange, declared before anything is published."""

    def __init__(self, amqp_uri: str):
        self.connection = Connection(amqp_uri)
        exchange = Exchange(EXCHANGE, type="topic", durable=True)
        queue = Queue(f"test-{uuid.uuid4().hex}", exchange, routing_key="#", exclusive=True)
        self.messages = []
        self.consumer = Consumer(self.connection.channel(), [queue], callbacks=[self._on_message],
                                 accept=["json"])
        self.consumer.consume()

    def _on_message(self, body, message):
        self.messages.append((body, message))
        message.ack()

    def bodies(self):
        return [body for body, _ in self.messages]

    def wait_for(self, count: int, timeout: float = 10):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(self.messages)} of {count} messages arrived")
            try:
                self.connection.drain_events(timeout=min(remaining, 1))
            except TimeoutError:
                pass
        return self.bodies()

    def close(self):
        self.connection.release()


@pytest.fixture
def collector(isolated_amqp_uri):
    collector = Collector(isolated_amqp_uri)
    yield collector
    collector.close()


def append(store, stream_id, *types):
    events = [NewEvent(t, {"stream": stream_id, "n": i, "texte": "é"}) for i, t in enumerate(types)]
    return store.append(stream_id, store.stream_version(stream_id), events)


def drain_with_sentinel(store, relay, collector):
    """Everything published so far, proven complete: a last event is published after it and the
    channel keeps order, so once that one arrives nothing earlier is still on its way."""
    append(store, "sentinel", "Sentinel")
    relay.publish_pending()
    wait = len(collector.messages) + 1
    while collector.wait_for(wait)[-1]["type"] != "Sentinel":
        wait += 1
    return collector.bodies()[:-1]


class FlakyMarks:
    """An event store whose mark_published fails once, as a relay crashing before it marks."""

    def __init__(self, inner):
        self.inner = inner
        self.fail = True

    def mark_published(self, positions):
        if self.fail:
            self.fail = False
            raise RuntimeError("crashed before marking")
        self.inner.mark_published(positions)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_publishes_in_order_marks_and_never_twice(store, publisher, collector):
    append(store, "booking-HC-1", "BookingCreated", "BookingOffered")
    append(store, "booking-HC-2", "BookingCreated")
    append(store, "booking-HC-1", "BookingAccepted")
    relay = OutboxRelay(store, publisher)
    assert relay.publish_pending() == 4
    assert store.unpublished() == []
    expected = [e.to_dict() for e in store.read_all()]
    assert collector.wait_for(4) == expected
    for (_body, message), event in zip(collector.messages, expected):
        assert message.delivery_info["routing_key"] == event["type"]
        assert message.delivery_info["exchange"] == EXCHANGE
        assert message.properties["delivery_mode"] == 2
        assert message.properties["message_id"] == event["event_id"]
        assert message.content_type == "application/json"
        assert message.headers["event_id"] == message.headers["nameko.event_id"] == event["event_id"]
        assert message.headers["position"] == message.headers["nameko.position"] == event["position"]
    assert relay.publish_pending() == 0
    assert drain_with_sentinel(store, relay, collector) == expected  # nothing came twice


def test_a_crash_before_marking_republishes_only_the_unmarked(store, publisher, collector):
    append(store, "booking-HC-1", "BookingCreated", "BookingOffered")
    assert OutboxRelay(store, publisher).publish_pending() == 2
    append(store, "booking-HC-2", "BookingCreated", "BookingAssigned")
    with pytest.raises(RuntimeError):
        OutboxRelay(FlakyMarks(store), publisher).publish_pending()
    assert [e.position for e in store.unpublished()] == [3, 4]
    restarted = OutboxRelay(store, publisher)
    assert restarted.publish_pending() == 2
    # At least once: events 3 and 4 arrive twice (consumers dedupe by event_id), 1 and 2 once.
    assert [b["position"] for b in drain_with_sentinel(store, restarted, collector)] == [1, 2, 3, 4, 3, 4]
    assert store.unpublished() == []


def test_a_relay_started_late_publishes_the_backlog_in_order(store, isolated_amqp_uri, collector):
    for i in range(12):
        append(store, f"booking-HC-{i % 4}", "BookingCreated" if i < 4 else "BookingModified")
    publisher = KombuPublisher(isolated_amqp_uri, EXCHANGE)
    try:
        relay = OutboxRelay(store, publisher)
        counts = [relay.publish_pending(limit=5) for _ in range(4)]
    finally:
        publisher.close()
    assert counts == [5, 5, 2, 0]
    assert [b["position"] for b in collector.wait_for(12)] == list(range(1, 13))
    assert store.unpublished() == []


def test_the_publisher_reconnects_after_the_broker_drops_it(store, publisher, isolated_amqp_uri):
    relay = OutboxRelay(store, publisher)
    append(store, "booking-HC-1", "BookingCreated")
    assert relay.publish_pending() == 1
    close_connections(isolated_amqp_uri)  # the publisher's connection: the only one of the vhost
    collector = Collector(isolated_amqp_uri)
    try:
        append(store, "booking-HC-1", "BookingOffered")
        assert relay.publish_pending() == 1
        assert [b["type"] for b in collector.wait_for(1)] == ["BookingOffered"]
    finally:
        collector.close()


class FailingOn:
    def __init__(self, bad_position):
        self.bad_position = bad_position
        self.published = []

    def publish(self, event):
        if event.position == self.bad_position:
            raise ConnectionError("broker gone")
        self.published.append(event.position)


def test_a_failed_publish_marks_what_was_confirmed_before_it(event_store):
    for i in range(5):
        event_store.append("s", i, [NewEvent("Thing", {"n": i})])
    with pytest.raises(ConnectionError):
        OutboxRelay(event_store, FailingOn(3)).publish_pending()
    assert [e.position for e in event_store.unpublished()] == [3, 4, 5]
    publisher = FailingOn(None)
    assert OutboxRelay(event_store, publisher).publish_pending() == 3
    assert publisher.published == [3, 4, 5] and event_store.unpublished() == []
