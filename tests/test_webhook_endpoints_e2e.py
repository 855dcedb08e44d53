"""Issue 18, done when: one webhook endpoint that never answers, another that does; against the
system started as `make run` starts it, the answering endpoint gets every delivery within 2 s of its
booking event, in order, while the hanging one's backlog waits, visible through the API; deleting a
subscription keeps its delivery history readable."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.system import ROOT, running_system
from ims_common.testing.wait import wait_until

pytestmark = pytest.mark.e2e
COORDINATOR = {"user_id": "UBICB0001", "role": "coordinator", "name": "Coordination BI"}
WITHIN = 2.0


class Endpoint:
    """A webhook endpoint on loopback: answers 200 and notes when each event arrived, or, when
    `hang`, reads the request and never answers (until the test ends)."""

    def __init__(self, hang: bool = False):
        self.arrivals: list[tuple[float, dict]] = []
        self.released = threading.Event()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                endpoint.arrivals.append((time.monotonic(), body))
                if hang:
                    endpoint.released.wait(120)
                    return
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def positions(self) -> list[int]:
        return [body["position"] for _, body in self.arrivals]

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    with isolated_vhost() as amqp_uri:
        with running_system(tmp_path_factory.mktemp("ims-data"), amqp_uri) as running:
            yield running


def integrator(system, name: str) -> requests.Session:
    """An outside system with its token (webhooks:manage), as the bank's operator issues it."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_STORE_URL")}
    env["IMS_DATA_DIR"] = str(system.data_dir)
    done = subprocess.run([sys.executable, "-m", "services.auth.cli", "create-system-token", "--name", name,
                           "--scope", "webhooks:manage"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {done.stdout.splitlines()[0]}"
    return session


def subscribe(api: requests.Session, system, url: str) -> dict:
    resp = api.post(system.url + "/api/v1/webhooks", json={"url": url, "event_types": ["BookingCreated"]},
                    timeout=15)
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_an_endpoint_that_never_answers_does_not_delay_another_ones_deliveries(system):
    hanging, answering = Endpoint(hang=True), Endpoint()
    api = integrator(system, "two-endpoints")
    try:
        stuck = subscribe(api, system, hanging.url)
        live = subscribe(api, system, answering.url)
        day = (date.today() + timedelta(days=3)).isoformat()
        created = []
        with ClusterRpcProxy({"AMQP_URI": system.amqp_uri}) as rpc:
            for n in range(5):
                booking = rpc.booking.create_booking(COORDINATOR, {
                    "source_language": "Français", "target_language": "Arménien", "mode": "phone",
                    "establishment": "HC", "date": day, "start_time": f"1{n}:00", "duration_minutes": 60})
                created.append((time.monotonic(), booking["number"]))
                wait_until(lambda: len(answering.arrivals) == len(created), timeout=30)
        late = [(number, round(arrived - at, 2)) for (at, number), (arrived, _) in zip(created, answering.arrivals)
                if arrived - at > WITHIN]
        assert late == [], f"deliveries later than {WITHIN} s: {late}"
        assert [body["data"]["number"] for _, body in answering.arrivals] == [n for _, n in created]
        assert len(set(hanging.positions())) == 1               # its first delivery, unanswered (retried)
        view = api.get(f"{system.url}/api/v1/webhooks/{stuck['id']}", timeout=15).json()
        assert view["backlog"] == 5 and view["oldest_pending_position"] == hanging.positions()[0]
        assert api.get(f"{system.url}/api/v1/webhooks/{live['id']}", timeout=15).json()["backlog"] == 0

        # Deleted: its history stays readable.
        assert api.delete(f"{system.url}/api/v1/webhooks/{live['id']}", timeout=15).status_code == 204
        history = api.get(f"{system.url}/api/v1/webhooks/{live['id']}/deliveries", timeout=15)
        assert history.status_code == 200
        assert [d["status"] for d in history.json()["items"]] == ["delivered"] * 5
        gone = api.get(f"{system.url}/api/v1/webhooks/{live['id']}", timeout=15).json()
        assert gone["active"] is False and gone["deleted_at"]
        assert [s["id"] for s in api.get(f"{system.url}/api/v1/webhooks", timeout=15).json()["items"]] == [stuck["id"]]
    finally:
        hanging.close()
        answering.close()



NUMERIC_INTERNAL = ["2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.254.43518", "[::ffff:169.254.169.254]",
                    "[::ffff:a9fe:a9fe]", "169.254.169.254.", "167772161", "0xa.0.0.1"]


def test_a_numeric_form_of_an_internal_address_is_refused_at_registration(system):
    """Issue 17: the metadata address (and 10.0.0.1) however a URL spells it."""
    api = integrator(system, "numeric-forms")
    for host in NUMERIC_INTERNAL:
        resp = api.post(system.url + "/api/v1/webhooks", json={"url": f"https://{host}/hook"}, timeout=15)
        assert resp.status_code == 422, (host, resp.status_code, resp.text)
        assert "url" in resp.json()["error"]["fields"], host
