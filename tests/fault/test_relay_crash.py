"""The outbox relay killed between append and publish: the booking service appends, cannot publish
(the broker refuses writes to booking.events on this vhost), is killed with SIGKILL; once it runs
again the event is published exactly once."""
from __future__ import annotations

import queue as queue_module

from kombu import Connection, Exchange, Queue

from ims_common.stores import open_event_store
from ims_common.testing.wait import wait_until
from tests.fault.conftest import COORDINATOR, booking_fields, rpc_proxy, set_write_permission


def test_event_appended_but_not_published_before_a_kill_is_published_once(services, amqp_uri, tmp_path):
    with Connection(amqp_uri) as conn:
        exchange = Exchange("booking.events", type="topic", durable=True)
        watch = conn.SimpleQueue(Queue("fault-watch", exchange, routing_key="#", durable=True))
        try:
            set_write_permission(amqp_uri, r"^(?!booking\.events$).*")  # RPC works, publishing fails
            booking = services("booking")
            with rpc_proxy(amqp_uri) as rpc:
                bid = rpc.booking.create_booking(COORDINATOR, booking_fields())["id"]
            wait_until(lambda: "outbox relay of booking failed" in booking.log(), timeout=30)
            store = open_event_store(f"sqlite:///{tmp_path / 'booking.sqlite3'}")
            try:
                [pending] = store.unpublished()
            finally:
                store.close()
            assert pending.stream_id == f"booking-{bid}"

            booking.kill9()  # between append and publish
            set_write_permission(amqp_uri, ".*")
            booking.start()
            message = watch.get(timeout=30)
            message.ack()
            assert message.payload["event_id"] == pending.event_id
            store = open_event_store(f"sqlite:///{tmp_path / 'booking.sqlite3'}")
            try:
                wait_until(lambda: store.unpublished() == [], timeout=10)
            finally:
                store.close()
            try:
                extra = watch.get(timeout=1)  # nothing else arrives: published once
            except queue_module.Empty:
                extra = None
            assert extra is None, extra.payload
        finally:
            watch.close()
