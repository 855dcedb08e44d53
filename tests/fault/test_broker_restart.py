"""RabbitMQ restarted (rabbitmqctl stop_app / start_app) under load: every event the booking store
acknowledged reaches payroll and notification, and every service reconnects by itself (health
answers again, new commands work). This stops the whole local broker for a few seconds, which
breaks anyone else's tests on that broker: it runs in CI (CI=true) and with `make fault`
(IMS_FAULT_BROKER_RESTART=1), and is skipped otherwise."""
from __future__ import annotations

import os
import threading

import pytest

from ims_common.testing.rabbit import _ctl
from ims_common.testing.wait import wait_until
from tests.fault.conftest import COORDINATOR, all_events, booking_fields, hire_interpreter, lifecycle, rpc_proxy

CONSUMERS = ("payroll", "notification")
pytestmark = pytest.mark.skipif(
    not (os.environ.get("CI") == "true" or os.environ.get("IMS_FAULT_BROKER_RESTART") == "1"),
    reason="stops the shared local RabbitMQ: set IMS_FAULT_BROKER_RESTART=1 (make fault) or CI=true")


def _answers(amqp_uri: str, name: str) -> bool:
    try:
        with rpc_proxy(amqp_uri, timeout=5) as rpc:
            return bool(getattr(rpc, name).health())
    except Exception:
        return False


def test_broker_restart_under_load_loses_no_acknowledged_event(services, amqp_uri):
    started = [services(name) for name in ("auth", "booking", *CONSUMERS)]
    interpreter = hire_interpreter(amqp_uri)
    stop = threading.Event()
    acknowledged: list[str] = []
    failures: list[str] = []

    def load():
        while not stop.is_set():
            try:
                with rpc_proxy(amqp_uri, timeout=10) as rpc:
                    while not stop.is_set():
                        acknowledged.append(lifecycle(rpc, interpreter))
            except Exception as exc:  # the broker went away: a new proxy once it is back
                failures.append(type(exc).__name__)
                stop.wait(0.2)

    clients = [threading.Thread(target=load) for _ in range(4)]
    for client in clients:
        client.start()
    try:
        wait_until(lambda: len(acknowledged) >= 20, timeout=120)
        _ctl("stop_app")
        try:
            before = len(acknowledged)
        finally:
            _ctl("start_app")
        wait_until(lambda: len(acknowledged) >= before + 20, timeout=180)  # load resumed by itself
    finally:
        stop.set()
        for client in clients:
            client.join(60)
    # The restart really happened under load: every service lost its broker connection. (The clients may
    # not notice it at all: a call can ride through a short restart on the publisher's retries.)
    for service in started:
        assert "Connection to broker lost" in service.log(), f"{service.name} did not see the restart"

    for name in ("auth", "booking", *CONSUMERS):
        wait_until(lambda: _answers(amqp_uri, name), timeout=60)
    with rpc_proxy(amqp_uri) as rpc:
        new = rpc.booking.create_booking(COORDINATOR, booking_fields())["id"]  # new commands work
        events = all_events(rpc)
        stored_streams = {e["stream_id"] for e in events}
        assert {f"booking-{bid}" for bid in acknowledged + [new]} <= stored_streams
        expected = [e["event_id"] for e in events]
        for name in CONSUMERS:
            service = getattr(rpc, name)
            wait_until(lambda: service.health()["checkpoint"] == len(events), timeout=120)
            assert [r["event_id"] for r in service.received()] == expected, name
