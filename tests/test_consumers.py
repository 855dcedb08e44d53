"""Payroll and notification on the real RabbitMQ: each event recorded once however often it arrives,
and a consumer started after the events catches up through booking.events_since."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from kombu import Connection, Exchange, Producer, Queue
from nameko.standalone.rpc import ClusterRpcProxy

from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.services import service_process
from ims_common.testing.wait import wait_until

COORDINATOR = {"user_id": "UBICB0001", "role": "coordinator", "name": "Coordination BI"}
CONSUMERS = ["payroll", "notification"]


@pytest.fixture
def amqp_uri():
    with isolated_vhost() as uri:
        yield uri


@pytest.fixture
def env(tmp_path):
    return {"IMS_DATA_DIR": str(tmp_path)}  # each service's SQLite store under it


def booking_fields(days_ahead=3):
    return {"source_language": "Français", "target_language": "Arménien", "mode": "phone",
            "establishment": "HC", "date": (date.today() + timedelta(days=days_ahead)).isoformat(),
            "start_time": "10:00", "duration_minutes": 60}


@pytest.mark.parametrize("name", CONSUMERS)
def test_consumer_started_late_catches_up_and_records_each_event_once(name, amqp_uri, env, tmp_path):
    with service_process("booking", amqp_uri, tmp_path, env), ClusterRpcProxy({"AMQP_URI": amqp_uri}) as rpc:
        ids = [rpc.booking.create_booking(COORDINATOR, booking_fields())["id"] for _ in range(3)]
        assert len(rpc.booking.events_since(0, 100)) == 3
        # Started after the events were published: its queue never saw them.
        with service_process(name, amqp_uri, tmp_path, env):
            service = getattr(rpc, name)
            wait_until(lambda: len(service.received()) == 3, timeout=20)
            # Live events follow, and a redelivered event (same envelope twice) is recorded once.
            rpc.booking.execute(COORDINATOR, ids[2], "cancel", {"reason": "Rendez-vous déplacé"})
            wait_until(lambda: len(service.received()) == 4, timeout=20)
            last = rpc.booking.events_since(3, 10)[0]
            with Connection(amqp_uri) as conn:
                exchange = Exchange("booking.events", type="topic", durable=True)
                for _ in range(2):
                    Producer(conn).publish(last, exchange=exchange, routing_key=last["type"],
                                           serializer="json")
            rpc.booking.execute(COORDINATOR, ids[1], "cancel", {"reason": "Usager absent"})
            wait_until(lambda: len(service.received()) == 5, timeout=20)
            expected = [e["event_id"] for e in rpc.booking.events_since(0, 100)]
            assert [r["event_id"] for r in service.received()] == expected
            assert service.health()["checkpoint"] == 5


def test_relay_publishes_events_appended_while_the_service_was_down(amqp_uri, env, tmp_path):
    from ims_common.nameko_ext import Stores
    from services.booking.app import BookingApp

    with Connection(amqp_uri) as conn:
        exchange = Exchange("booking.events", type="topic", durable=True)
        queue = conn.SimpleQueue(Queue("test-watch", exchange, routing_key="#", auto_delete=True))
        # Appended while no booking service runs, i.e. after a crash between append and publish.
        offline = Stores(f"sqlite:///{tmp_path / 'booking.sqlite3'}")
        BookingApp(offline.event_store, offline.doc_store, offline.blob_store).create_booking(
            COORDINATOR, booking_fields())
        offline.close()
        try:
            with service_process("booking", amqp_uri, tmp_path, env), \
                    ClusterRpcProxy({"AMQP_URI": amqp_uri}) as rpc:
                message = queue.get(timeout=15)
                message.ack()
                body = message.payload
                assert body["type"] == "BookingCreated" and body["position"] == 1
                assert set(body) >= {"event_id", "type", "schema_version", "stream_id", "stream_version",
                                     "position", "occurred_at", "actor", "correlation_id", "causation_id",
                                     "data"}
                rpc.booking.create_booking(COORDINATOR, booking_fields())
                second = queue.get(timeout=15)
                second.ack()
                assert second.payload["position"] == 2
                with pytest.raises(queue.Empty):
                    queue.get(timeout=0.5)  # nothing published twice
        finally:
            queue.close()
