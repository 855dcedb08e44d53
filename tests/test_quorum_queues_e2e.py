"""The system on quorum queues, as docs/deployment.md sets RabbitMQ up (a vhost whose default queue
type is quorum): every service starts and answers, and a booking's events reach each consumer."""
from __future__ import annotations

import pytest
import requests

from ims_common.testing.rabbit import _ctl, isolated_vhost, vhost_of
from ims_common.testing.system import running_system
from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient
from tests.test_lifecycle_e2e import PASSWORD, create_account, new_booking

pytestmark = pytest.mark.e2e
CONSUMERS = ("payroll", "notification", "webhooks")


def queue_types(amqp_uri: str) -> dict[str, str]:
    rows = [line.split("\t") for line in _ctl("list_queues", "-p", vhost_of(amqp_uri), "--no-table-headers",
                                               "name", "type")]
    return {row[0]: row[1] for row in rows if len(row) == 2}


def test_a_booking_reaches_every_consumer_over_quorum_queues(tmp_path):
    with isolated_vhost(default_queue_type="quorum") as amqp, running_system(tmp_path, amqp) as system:
        types = queue_types(amqp)
        for queue in ("rpc-booking", "rpc-payroll", "evt-booking-#--payroll.on_booking_event",
                      "evt-booking-#--notification.on_booking_event", "evt-booking-#--webhooks.on_booking_event"):
            assert types.get(queue) == "quorum", (queue, types)

        coordinator = ApiClient.login(system.url, *system.coordinator_credentials())
        account = create_account(coordinator, "requester", "Rachel", "Quorum", establishment="HC")
        requester = ApiClient.login(system.url, account["email"], PASSWORD)
        new_booking(requester)

        def consumers_caught_up():
            services = requests.get(system.url + "/healthz", timeout=30).json()["services"]
            last = services["booking"].get("last_position") or 0
            return last > 0 and all(services[name].get("checkpoint", 0) >= last for name in CONSUMERS)

        wait_until(consumers_caught_up, timeout=120, interval=0.5)
