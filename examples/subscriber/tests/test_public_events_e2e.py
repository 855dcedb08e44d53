"""Issue 8, done when: against the system started as `make run` starts it (real RabbitMQ, own vhost),
the example subscriber started after a hundred events catches up from zero, follows live events,
survives a restart, and ends with the same set as the event store; a webhook receiver on loopback
gets each event once, verifies each signature and rejects a replayed one."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from kombu import Connection, Exchange, Producer
from nameko.standalone.rpc import ClusterRpcProxy

from examples.subscriber.subscriber import Subscriber
from examples.subscriber.webhook import WebhookVerifier, verify_signature
from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.system import ROOT, running_system
from ims_common.testing.wait import wait_until
from services.booking.contract.public import is_public, public_event
from services.webhooks.domain import signing

pytestmark = pytest.mark.e2e
COORDINATOR = {"user_id": "UBICB0001", "role": "coordinator", "name": "Coordination BI"}


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    with isolated_vhost() as amqp_uri:
        with running_system(tmp_path_factory.mktemp("ims-data"), amqp_uri) as running:
            yield running


@pytest.fixture(scope="module")
def rpc(system):
    with ClusterRpcProxy({"AMQP_URI": system.amqp_uri}) as proxy:
        yield proxy


def system_token(system, name: str, *scopes: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_STORE_URL")}
    env["IMS_DATA_DIR"] = str(system.data_dir)
    args = [sys.executable, "-m", "services.auth.cli", "create-system-token", "--name", name]
    for scope in scopes:
        args += ["--scope", scope]
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[0]


def make_events(rpc, bookings: int) -> None:
    """Two public events per booking: BookingCreated, BookingCancelled."""
    day = (date.today() + timedelta(days=5)).isoformat()
    for _ in range(bookings):
        booking = rpc.booking.create_booking(COORDINATOR, {
            "source_language": "Français", "target_language": "Arménien", "mode": "phone", "establishment": "HC",
            "date": day, "start_time": "10:00", "duration_minutes": 60,
            "context_details": "détail de santé privé", "requester_email": "rita@hc.example"})
        rpc.booking.execute(COORDINATOR, booking["id"], "cancel", {"reason": "Usager hospitalisé"})


def public_store_events(rpc) -> list[dict]:
    out, after = [], 0
    while True:
        page = rpc.booking.events_since(after, 1000)
        if not page:
            return out
        out += [e for e in page if is_public(e["type"])]
        after = page[-1]["position"]


class Recorder:
    def __init__(self):
        self.events: list[dict] = []
        self.lock = threading.Lock()

    def __call__(self, event: dict) -> None:
        with self.lock:
            self.events.append(event)

    def ids(self) -> list[str]:
        with self.lock:
            return [e["event_id"] for e in self.events]


def start(subscriber: Subscriber) -> tuple[threading.Thread, threading.Event, list]:
    stop, errors = threading.Event(), []

    def run():
        try:
            subscriber.run(stop)
        except BaseException as exc:  # surfaced by the test
            errors.append(exc)
            subscriber.caught_up.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, stop, errors


def test_the_example_subscriber_catches_up_follows_resumes_and_matches_the_store(system, rpc, tmp_path):
    make_events(rpc, 50)
    assert len(public_store_events(rpc)) >= 100
    token = system_token(system, "subscriber-example", "events:read")
    state, queue, seen = tmp_path / "position.json", f"example-{uuid.uuid4().hex[:8]}", Recorder()

    def subscriber():
        return Subscriber(system.amqp_uri, system.url, token, state, queue, handle=seen, page_size=30)

    first = subscriber()
    thread, stop, errors = start(first)
    assert first.caught_up.wait(60) and not errors, errors
    assert len(seen.ids()) == len(public_store_events(rpc))          # caught up from zero, paged
    # live events follow; a duplicate on the exchange is skipped
    make_events(rpc, 5)
    wait_until(lambda: len(seen.ids()) == len(public_store_events(rpc)), timeout=30)
    old = public_store_events(rpc)[3]
    with Connection(system.amqp_uri) as conn:
        Producer(conn).publish(public_event(old), exchange=Exchange("booking.public", type="topic", durable=True),
                               routing_key=old["type"], serializer="json")
    make_events(rpc, 1)
    wait_until(lambda: len(seen.ids()) == len(public_store_events(rpc)), timeout=30)
    stop.set()
    thread.join(10)
    assert not errors, errors
    # while it is down: more events (its durable queue keeps them), then a restart from its file
    make_events(rpc, 3)
    assert json.loads(state.read_text())["position"] == first.position
    second = subscriber()
    assert second.position == first.position
    thread, stop, errors = start(second)
    assert second.caught_up.wait(60) and not errors, errors
    wait_until(lambda: len(seen.ids()) == len(public_store_events(rpc)), timeout=30)
    stop.set()
    thread.join(10)
    store = public_store_events(rpc)
    assert seen.ids() == [e["event_id"] for e in store]               # same set, same order, once each
    positions = [e["position"] for e in seen.events]
    assert positions == sorted(set(positions))
    text = json.dumps(seen.events, ensure_ascii=False)
    assert "privé" not in text and "rita@" not in text and "hospitalisé" not in text
    assert all(e["schema_version"] == 1 for e in seen.events)


class Receiver:
    """A webhook endpoint on loopback: verifies, refuses replays, counts what it received."""

    def __init__(self):
        self.verifier: WebhookVerifier | None = None
        self.requests: list[tuple] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = self.headers          # case-insensitive (urllib sends "Ims-signature")
                status, reason = receiver.verifier.check(self.headers, body)
                receiver.requests.append((headers, body, status, reason))
                self.send_response(status)
                self.end_headers()
                self.wfile.write(reason.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ims-hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self) -> list[str]:
        return [json.loads(body)["event_id"] for _, body, status, reason in self.requests if reason == "accepted"]


def test_a_loopback_webhook_gets_each_event_once_signed_and_refuses_a_replay(system, rpc):
    token = system_token(system, "webhook-example", "webhooks:manage")
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    receiver = Receiver()
    try:
        # A plain-http endpoint matches the document (a URL) but webhooks' rule refuses it: 422.
        refused = api.post(system.url + "/api/v1/webhooks", json={"url": "http://example.org/hook"}, timeout=15)
        assert refused.status_code == 422, refused.text
        resp = api.post(system.url + "/api/v1/webhooks", timeout=15, json={
            "url": receiver.url, "event_types": ["BookingCreated", "BookingCancelled"]})
        assert resp.status_code == 201, resp.text
        sub = resp.json()
        receiver.verifier = WebhookVerifier(sub["secret"])
        before = public_store_events(rpc)[-1]["position"] if public_store_events(rpc) else 0
        make_events(rpc, 4)
        expected = [e["event_id"] for e in public_store_events(rpc) if e["position"] > before]
        assert len(expected) == 8
        wait_until(lambda: len(receiver.accepted()) == 8, timeout=30)
        assert receiver.accepted() == expected                           # once each, in order
        assert all(status == 200 for _, _, status, _ in receiver.requests)
        for headers, body, _, _ in receiver.requests:
            assert verify_signature(sub["secret"], headers["IMS-Signature"], body)
            assert signing.verify(sub["secret"], headers["IMS-Signature"], body)
            assert headers["Idempotency-Key"] == json.loads(body)["event_id"]
            assert b"rita@" not in body
        # a replayed request (same body, same signature) is refused; so is a stale one
        headers, body, _, _ = receiver.requests[0]
        replay = requests.post(receiver.url, data=body, timeout=5, headers={
            "IMS-Signature": headers["IMS-Signature"], "Idempotency-Key": headers["Idempotency-Key"],
            "Content-Type": "application/json"})
        assert (replay.status_code, replay.text) == (400, "replayed")
        stale = requests.post(receiver.url, data=body, timeout=5, headers={
            "IMS-Signature": signing.sign(sub["secret"], body, now=time.time() - 600),
            "Idempotency-Key": headers["Idempotency-Key"]})
        assert (stale.status_code, stale.text) == (400, "bad or stale signature")
        deliveries = api.get(f"{system.url}/api/v1/webhooks/{sub['id']}/deliveries", timeout=15).json()["items"]
        assert sorted(d["event_id"] for d in deliveries) == sorted(expected)
        assert {(d["status"], d["attempts"]) for d in deliveries} == {("delivered", 1)}
        assert [w["id"] for w in api.get(system.url + "/api/v1/webhooks", timeout=15).json()["items"]] == [sub["id"]]
        assert api.delete(f"{system.url}/api/v1/webhooks/{sub['id']}", timeout=15).status_code == 204
    finally:
        receiver.server.shutdown()


def test_webhook_signatures_of_the_example_and_of_ims_agree():
    body = b'{"event_id":"x"}'
    header = signing.sign("whsec_abc", body)
    assert verify_signature("whsec_abc", header, body)
    assert not verify_signature("whsec_abc", header, body + b" ")
    assert not verify_signature("whsec_abc", signing.sign("whsec_abc", body, now=time.time() - 301), body)
    verifier = WebhookVerifier("whsec_abc")
    assert verifier.check({"IMS-Signature": header, "Idempotency-Key": "x"}, body) == (200, "accepted")
    assert verifier.check({"IMS-Signature": header, "Idempotency-Key": "x"}, body) == (400, "replayed")
    again = signing.sign("whsec_abc", body, now=time.time() + 1)
    assert verifier.check({"IMS-Signature": again, "Idempotency-Key": "x"}, body)[1] == "duplicate: already processed"


def test_a_cursor_beyond_the_last_position_is_a_400_not_an_empty_page(system, rpc):
    make_events(rpc, 1)
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {system_token(system, 'cursor-check', 'events:read')}"
    last = rpc.booking.events_since(0, 1000)[-1]["position"]   # the one page holds them all here
    at_end = api.get(system.url + "/api/v1/events", params={"after": last}, timeout=15)
    assert at_end.status_code == 200 and at_end.json() == {"items": [], "next_after": last}
    beyond = api.get(system.url + "/api/v1/events", params={"after": last + 500}, timeout=15,
                     headers={"Accept-Language": "fr"})
    assert beyond.status_code == 400, beyond.text
    error = beyond.json()["error"]
    assert error["code"] == "booking.events_after_beyond_last" and list(error["fields"]) == ["after"]
    assert f"({last + 500})" in error["message"] and f"({last})" in error["message"]
