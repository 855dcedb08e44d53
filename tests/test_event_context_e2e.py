"""Issue 18 item 7, through the system started as `make run` starts it: the booking's health-context
category ("Santé mentale") reaches only the subscribers granted it, on each of the three ways out
(docs/events/README.md, "The context category"): AMQP (`booking.public` without it,
`booking.public.context` with it), the catch-up (a system token with or without `events:context`)
and webhooks (a subscription asking for it with the grant; asking without it is refused)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from kombu import Connection, Exchange, Queue
from nameko.standalone.rpc import ClusterRpcProxy

from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.system import ROOT, running_system
from ims_common.testing.wait import wait_until

pytestmark = pytest.mark.e2e
COORDINATOR = {"user_id": "UBICB0001", "role": "coordinator", "name": "Coordination BI"}
CATEGORIES = ("Santé mentale", "Violence conjugale")


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    with isolated_vhost() as amqp_uri:
        with running_system(tmp_path_factory.mktemp("ims-data"), amqp_uri) as running:
            yield running


def api_for(system, name: str, *scopes: str) -> requests.Session:
    """An outside system with a token of these scopes, as the bank's operator issues it."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_STORE_URL")}
    env["IMS_DATA_DIR"] = str(system.data_dir)
    args = [sys.executable, "-m", "services.auth.cli", "create-system-token", "--name", name]
    for scope in scopes:
        args += ["--scope", scope]
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {done.stdout.splitlines()[0]}"
    return session


class Endpoint:
    """A webhook endpoint on loopback that answers 200 and keeps each body."""

    def __init__(self):
        self.bodies: list[dict] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                endpoint.bodies.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def categories_in(events: list[dict]) -> list[str]:
    """Every context category the events carry (BookingCreated's field, BookingModified's change)."""
    found = []
    for event in events:
        data = event["data"]
        for holder in (data, data.get("changes") or {}):
            if "context" in holder:
                found.append(holder["context"])
    return found


def test_the_context_category_goes_only_to_subscribers_granted_it(system):
    vhost = Connection(system.amqp_uri)
    tag = uuid.uuid4().hex[:8]
    queues = {}
    for exchange in ("booking.public", "booking.public.context"):
        queues[exchange] = Queue(f"ctx-test-{tag}-{exchange}", Exchange(exchange, type="topic", durable=True),
                                 routing_key="#", durable=True, auto_delete=False)
        queues[exchange](vhost.channel()).declare()       # bound before the events are published
    endpoints = {"plain": Endpoint(), "granted": Endpoint()}
    plain_hooks = api_for(system, "hooks-plain", "webhooks:manage")
    granted_hooks = api_for(system, "hooks-granted", "webhooks:manage", "events:context")
    try:
        # webhooks: asking for the context without the grant is refused; each subscription made first
        refused = plain_hooks.post(system.url + "/api/v1/webhooks", timeout=15,
                                   json={"url": endpoints["plain"].url, "context": True})
        assert refused.status_code == 403, refused.text
        made = plain_hooks.post(system.url + "/api/v1/webhooks", json={"url": endpoints["plain"].url}, timeout=15)
        assert made.status_code == 201 and made.json()["context"] is False, made.text
        made = granted_hooks.post(system.url + "/api/v1/webhooks", timeout=15,
                                  json={"url": endpoints["granted"].url, "context": True})
        assert made.status_code == 201 and made.json()["context"] is True, made.text
        # A booking in a health context, then moved to another one: two events carrying a category.
        day = (date.today() + timedelta(days=4)).isoformat()
        with ClusterRpcProxy({"AMQP_URI": system.amqp_uri}) as rpc:
            booking = rpc.booking.create_booking(COORDINATOR, {
                "source_language": "Français", "target_language": "Arménien", "mode": "phone",
                "establishment": "HC", "date": day, "start_time": "10:00", "duration_minutes": 60,
                "context": CATEGORIES[0]})
            rpc.booking.execute(COORDINATOR, booking["id"], "modify",
                                {"context": CATEGORIES[1], "duration_minutes": 90})
            rpc.booking.execute(COORDINATOR, booking["id"], "cancel", {"reason": "Usager hospitalisé"})
            stored = [e for e in rpc.booking.events_since(0, 1000) if e["stream_id"] == f"booking-{booking['id']}"]
        assert [e["type"] for e in stored] == ["BookingCreated", "BookingModified", "BookingCancelled"]
        ids = [e["event_id"] for e in stored]

        # AMQP
        received = {name: [] for name in queues}

        def drained(name):
            while (message := queues[name](vhost.channel()).get(no_ack=True)) is not None:
                received[name].append(json.loads(message.body))
            return [e["event_id"] for e in received[name]] == ids

        for name in queues:
            wait_until(lambda: drained(name), timeout=60)
        assert categories_in(received["booking.public"]) == []
        assert "Santé" not in json.dumps(received["booking.public"], ensure_ascii=False)
        assert categories_in(received["booking.public.context"]) == list(CATEGORIES)

        # catch-up
        pages = {}
        for scopes in (("events:read",), ("events:read", "events:context")):
            api = api_for(system, f"reader-{len(scopes)}", *scopes)
            resp = api.get(system.url + "/api/v1/events", params={"after": stored[0]["position"] - 1}, timeout=15)
            assert resp.status_code == 200, resp.text
            pages[scopes] = [e for e in resp.json()["items"] if e["event_id"] in ids]
            assert [e["event_id"] for e in pages[scopes]] == ids
        assert categories_in(pages[("events:read",)]) == []
        assert categories_in(pages[("events:read", "events:context")]) == list(CATEGORIES)
        assert api_for(system, "no-read", "events:context").get(system.url + "/api/v1/events",
                                                                timeout=15).status_code == 403

        # webhooks
        for endpoint in endpoints.values():
            wait_until(lambda: [b["event_id"] for b in endpoint.bodies] == ids, timeout=60)
        assert categories_in(endpoints["plain"].bodies) == []
        assert "Santé" not in json.dumps(endpoints["plain"].bodies, ensure_ascii=False)
        assert categories_in(endpoints["granted"].bodies) == list(CATEGORIES)
        # the same events apart from the category
        assert [e["data"].get("changes", {}).get("duration_minutes") for e in endpoints["plain"].bodies] == \
            [None, 90, None]
    finally:
        for endpoint in endpoints.values():
            endpoint.server.shutdown()
        for queue in queues.values():
            queue(vhost.channel()).delete()
        vhost.release()
