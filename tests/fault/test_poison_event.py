"""A handler that fails on one event neither loses it nor blocks the others: after a few attempts the
event is parked (visible with its error) and the consumer goes on with the events after it."""
from __future__ import annotations

from ims_common.testing.wait import wait_until
from tests.fault.conftest import COORDINATOR, all_events, booking_fields, rpc_proxy
from tests.fault.poison_consumer import MAX_ATTEMPTS


def test_a_poison_event_is_parked_and_the_others_go_through(services, amqp_uri):
    services("booking")
    consumer = services("poison_consumer", "tests.fault.poison_consumer")
    with rpc_proxy(amqp_uri) as rpc:
        create = rpc.booking.create_booking
        create(COORDINATOR, booking_fields())
        poison = create(COORDINATOR, booking_fields(comments="POISON"))["id"]
        for _ in range(3):
            create(COORDINATOR, booking_fields())
        events = all_events(rpc)
        poison_event = next(e for e in events if e["stream_id"] == f"booking-{poison}")

        wait_until(lambda: rpc.poison_consumer.health()["checkpoint"] == len(events), timeout=60)
        [parked] = rpc.poison_consumer.parked()
        assert parked["event_id"] == poison_event["event_id"] and parked["attempts"] == MAX_ATTEMPTS
        assert "ValueError: cannot handle" in parked["error"]
        received = [r["event_id"] for r in rpc.poison_consumer.received()]
        assert received == [e["event_id"] for e in events if e["event_id"] != parked["event_id"]]

        # It stays parked across a crash, and live events still flow.
        consumer.kill9()
        consumer.start()
        create(COORDINATOR, booking_fields())
        wait_until(lambda: rpc.poison_consumer.health()["checkpoint"] == len(events) + 1, timeout=60)
        assert [p["event_id"] for p in rpc.poison_consumer.parked()] == [parked["event_id"]]
        assert len(rpc.poison_consumer.received()) == len(events)
