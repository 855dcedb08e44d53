"""The gateway's booking-list cache (gateway/read_cache.py) and its event feed (gateway/event_feed.py),
on the real RabbitMQ: kept answers are served again only until a booking event, a write through any
worker of the gateway, or the TTL; nothing is kept while the feed is down."""
from __future__ import annotations

import multiprocessing

import pytest
from kombu import Connection, Exchange, Producer

from gateway.event_feed import EventFeed
from gateway.read_cache import FEED_EXCHANGES, ReadCache, WriteMark
from gateway.rpc import ServiceClient
from ims_common.testing.rabbit import close_connections, isolated_vhost
from ims_common.testing.wait import wait_until

INTERP = {"user_id": "UBIIN0001", "role": "interpreter", "establishment": None, "correlation_id": "r1"}
MONTH = {"date_from": "2026-11-01", "date_to": "2026-11-30"}


class CountingBooking:
    """Stands in for the RPC pool: counts the calls and answers from a changeable list."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.items = [{"id": "HC-26110001", "status": "booked"}]
        self.during_call = None

    def call(self, service, method, *args, timeout=None):
        self.calls.append((service, method))
        if self.during_call:
            self.during_call()
        if method == "list_bookings":
            return {"items": [dict(i) for i in self.items], "total": len(self.items)}
        return {"ok": True}

    def lists(self) -> int:
        return sum(1 for _, m in self.calls if m == "list_bookings")


@pytest.fixture
def amqp():
    with isolated_vhost() as uri:
        yield uri


@pytest.fixture
def gateway(amqp, tmp_path):
    """(client, backend, cache, feed) as one gunicorn worker has them, fed from the test's vhost."""
    backend = CountingBooking()
    cache = ReadCache(mark=WriteMark(str(tmp_path / "mark")))
    feed = EventFeed(amqp, cache, FEED_EXCHANGES)
    client = ServiceClient(backend, cache=cache, feed=feed)
    client.call("booking", "health")          # first use starts the feed
    wait_until(lambda: cache.connected, timeout=10)
    yield client, backend, cache, feed
    feed.stop()


def publish_booking_event(amqp: str) -> None:
    with Connection(amqp) as conn:
        Producer(conn).publish({"type": "BookingAccepted", "position": 1},
                               exchange=Exchange("booking.events", type="topic", durable=True),
                               routing_key="BookingAccepted", serializer="json", declare=[
                                   Exchange("booking.events", type="topic", durable=True)])


def test_the_same_list_is_served_again_per_caller_and_query(gateway):
    client, backend, _, _ = gateway
    first = client.call("booking", "list_bookings", INTERP, MONTH)
    again = client.call("booking", "list_bookings", dict(INTERP, correlation_id="r2"), dict(MONTH))
    assert again == first and backend.lists() == 1
    # Another person, role, establishment or query is never served someone else's answer.
    client.call("booking", "list_bookings", dict(INTERP, user_id="UBIIN0002"), MONTH)
    client.call("booking", "list_bookings", dict(INTERP, role="requester", establishment="HC"), MONTH)
    client.call("booking", "list_bookings", dict(INTERP, role="requester", establishment="HCA"), MONTH)
    client.call("booking", "list_bookings", INTERP, dict(MONTH, status=["booked"]))
    assert backend.lists() == 5


def test_a_caller_changing_what_it_got_does_not_change_what_is_kept(gateway):
    client, _, _, _ = gateway
    got = client.call("booking", "list_bookings", INTERP, MONTH)
    got["items"].clear()
    assert client.call("booking", "list_bookings", INTERP, MONTH)["items"] == [
        {"id": "HC-26110001", "status": "booked"}]


def test_a_booking_event_on_the_broker_drops_what_was_kept(gateway, amqp):
    client, backend, _, _ = gateway
    client.call("booking", "list_bookings", INTERP, MONTH)
    backend.items.append({"id": "HC-26110002", "status": "pending"})     # booking's timer offered one
    publish_booking_event(amqp)
    wait_until(lambda: len(client.call("booking", "list_bookings", INTERP, MONTH)["items"]) == 2, timeout=10)


def test_a_write_through_the_gateway_is_seen_by_the_next_list_at_once(gateway):
    client, backend, _, _ = gateway
    client.call("booking", "list_bookings", INTERP, MONTH)
    backend.items[0]["status"] = "cancelled"
    client.call("booking", "execute", INTERP, "HC-26110001", "withdraw", {})   # no event awaited
    assert client.call("booking", "list_bookings", INTERP, MONTH)["items"][0]["status"] == "cancelled"
    assert backend.lists() == 2


def _bump(path: str) -> None:
    WriteMark(path).bump()


def test_a_write_through_another_worker_process_is_seen_at_once(gateway, tmp_path):
    client, backend, _, _ = gateway
    client.call("booking", "list_bookings", INTERP, MONTH)
    backend.items[0]["status"] = "cancelled"
    worker = multiprocessing.get_context("spawn").Process(target=_bump, args=(str(tmp_path / "mark"),))
    worker.start()
    worker.join(30)
    assert worker.exitcode == 0
    assert client.call("booking", "list_bookings", INTERP, MONTH)["items"][0]["status"] == "cancelled"


def test_an_answer_computed_while_something_changed_is_not_kept(gateway):
    client, backend, cache, _ = gateway
    backend.during_call = cache.changed          # an event arrives while booking answers
    client.call("booking", "list_bookings", INTERP, MONTH)
    backend.during_call = None
    client.call("booking", "list_bookings", INTERP, MONTH)
    assert backend.lists() == 2


def test_a_dropped_feed_forgets_what_was_kept_and_reconnects_by_itself(gateway, amqp):
    client, backend, cache, _ = gateway
    ups = []
    cache.feed_up = lambda up=cache.feed_up: (ups.append(1), up())[1]
    client.call("booking", "list_bookings", INTERP, MONTH)
    backend.items[0]["status"] = "cancelled"     # changed while the feed is away: its event is lost
    close_connections(amqp)                      # the broker drops the feed's connection
    wait_until(lambda: ups, timeout=20)          # back on its own, with nothing kept from before
    assert client.call("booking", "list_bookings", INTERP, MONTH)["items"][0]["status"] == "cancelled"
    client.call("booking", "list_bookings", INTERP, MONTH)
    assert backend.lists() == 2


def test_without_a_feed_connection_every_list_goes_to_booking(tmp_path):
    backend = CountingBooking()
    cache = ReadCache(mark=WriteMark(str(tmp_path / "mark")))
    client = ServiceClient(backend, cache=cache)       # never connected
    client.call("booking", "list_bookings", INTERP, MONTH)
    client.call("booking", "list_bookings", INTERP, MONTH)
    assert backend.lists() == 2


def test_kept_answers_expire(tmp_path):
    now = [0.0]
    backend = CountingBooking()
    cache = ReadCache(ttl=60, clock=lambda: now[0])
    cache.feed_up()
    client = ServiceClient(backend, cache=cache)
    client.call("booking", "list_bookings", INTERP, MONTH)
    now[0] = 59
    client.call("booking", "list_bookings", INTERP, MONTH)
    now[0] = 61
    client.call("booking", "list_bookings", INTERP, MONTH)
    assert backend.lists() == 2


def test_the_cache_holds_a_bounded_number_of_answers():
    backend = CountingBooking()
    cache = ReadCache(max_entries=3)
    cache.feed_up()
    client = ServiceClient(backend, cache=cache)
    for n in range(5):
        client.call("booking", "list_bookings", dict(INTERP, user_id=f"UBIIN000{n}"), MONTH)
    client.call("booking", "list_bookings", dict(INTERP, user_id="UBIIN0004"), MONTH)   # kept
    client.call("booking", "list_bookings", dict(INTERP, user_id="UBIIN0000"), MONTH)   # evicted
    assert backend.lists() == 6
