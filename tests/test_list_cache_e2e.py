"""The gateway's booking-list cache in the system as `make run` starts it (two gunicorn workers): a
list asked right after a write, on a new connection (either worker), already shows it; a change made
behind the gateway's back (booking's own timers, another gateway) shows once its event arrives."""
from __future__ import annotations

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient
from tests.test_lifecycle_e2e import PASSWORD, create_account, started_slot

pytestmark = pytest.mark.e2e


def token_of(client: ApiClient) -> str:
    return client.session.headers["Authorization"].split(" ", 1)[1]


def fresh_get(url: str, token: str, **params) -> dict:
    """On a connection of its own (no keep-alive): the kernel hands it to either worker."""
    resp = requests.get(url, params=params, headers={"Authorization": f"Bearer {token}", "Connection": "close"},
                        timeout=15)
    resp.raise_for_status()
    return resp.json()


def fresh_post(url: str, token: str, body: dict) -> dict:
    resp = requests.post(url, json=body, headers={"Authorization": f"Bearer {token}", "Connection": "close"},
                         timeout=15)
    assert resp.status_code in (200, 201), resp.text
    return resp.json()


def test_lists_show_a_write_at_once_and_a_change_behind_the_gateway_soon(system):
    api = system.url + "/api/v1"
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)
    interp = create_account(coord, "interpreter", "Cache", "Lecteur")
    token = token_of(ApiClient.login(system.url, interp["user_id"], PASSWORD))
    date, start_time = started_slot()
    fields = {"source_language": "Français", "target_language": "Arménien", "mode": "phone",
              "establishment": "HC", "date": date, "start_time": start_time, "duration_minutes": 60}
    month = {"date_from": date[:8] + "01", "date_to": date}
    for _ in range(6):                        # both workers keep the (empty) list
        assert fresh_get(api + "/bookings", token, **month)["total"] == 0

    seen = set()
    for n in range(1, 9):
        booking = fresh_post(api + "/bookings", token_of(coord), fields)
        fresh_post(api + f"/bookings/{booking['id']}/offer", token_of(coord), {"interpreter_ids": [interp["user_id"]]})
        listed = fresh_get(api + "/bookings", token, **month)
        assert listed["total"] == n and booking["id"] in {b["id"] for b in listed["items"]}
        seen.add(booking["id"])
        # The coordinator's own list, kept a moment ago, shows the booking too.
        assert booking["id"] in {b["id"] for b in fresh_get(api + "/bookings", token_of(coord), per_page=200)["items"]}

    # Behind the gateway (as booking's escalation timer does): seen once the event arrives.
    actor = {"user_id": "UBICB0001", "role": "coordinator"}
    with ClusterRpcProxy({"AMQP_URI": system.amqp_uri}) as rpc:
        hidden = rpc.booking.create_booking(actor, fields)
        rpc.booking.execute(actor, hidden["id"], "offer", {"interpreter_ids": [interp["user_id"]]})
    wait_until(lambda: all(hidden["id"] in {b["id"] for b in fresh_get(api + "/bookings", token, **month)["items"]}
                           for _ in range(4)), timeout=10, interval=0.05)
    assert seen < {b["id"] for b in fresh_get(api + "/bookings", token, **month)["items"]}
