"""kill -9 payroll and notification while bookings go through their lifecycle; after restart every
consumer holds each booking event exactly once, in order, and nothing was sent twice."""
from __future__ import annotations

import os
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from nameko.exceptions import MethodNotFound

from ims_common.testing.wait import wait_until
from tests.fault.conftest import all_events, hire_interpreter, lifecycle, rpc_proxy

BOOKINGS = int(os.environ.get("IMS_FAULT_BOOKINGS", "500"))
CLIENTS = 8
CONSUMERS = ("payroll", "notification")


def test_consumers_killed_mid_lifecycle_end_with_every_event_once(services, amqp_uri):
    services("auth")
    services("booking")
    interpreter = hire_interpreter(amqp_uri)
    consumers = {name: services(name) for name in CONSUMERS}
    done = Counter()
    lock = threading.Lock()

    def client(n: int) -> list[str]:
        ids = []
        with rpc_proxy(amqp_uri) as rpc:
            for _ in range(n):
                ids.append(lifecycle(rpc, interpreter))
                with lock:
                    done["bookings"] += 1
        return ids

    share = [BOOKINGS // CLIENTS + (1 if i < BOOKINGS % CLIENTS else 0) for i in range(CLIENTS)]
    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(client, n) for n in share]
        # First crash a third of the way, restart, then a second crash while they catch up.
        wait_until(lambda: done["bookings"] >= BOOKINGS // 3 or all(f.done() for f in futures), timeout=300)
        for consumer in consumers.values():
            consumer.kill9()
        wait_until(lambda: done["bookings"] >= 2 * BOOKINGS // 3 or all(f.done() for f in futures),
                   timeout=300)
        for consumer in consumers.values():
            consumer.start()
        consumers["payroll"].kill9()
        consumers["payroll"].start()
        ids = [bid for f in futures for bid in f.result()]
    assert len(set(ids)) == BOOKINGS

    with rpc_proxy(amqp_uri) as rpc:
        events = all_events(rpc)
        assert len(events) == 5 * BOOKINGS
        expected = [e["event_id"] for e in events]
        for name in CONSUMERS:
            service = getattr(rpc, name)
            wait_until(lambda: service.health()["checkpoint"] == len(events), timeout=120)
            received = [r["event_id"] for r in service.received()]
            assert len(received) == len(set(received)), f"{name} recorded an event twice"
            assert received == expected, f"{name} misses or reorders events"
        try:
            deliveries = rpc.notification.deliveries({})
        except MethodNotFound:
            deliveries = []  # no delivery log yet: nothing is sent
        keys = Counter((d.get("event_id"), d.get("kind"), str(d.get("recipient")), d.get("channel"))
                       for d in deliveries)
        assert [k for k, n in keys.items() if n > 1] == [], "a message was sent twice"
