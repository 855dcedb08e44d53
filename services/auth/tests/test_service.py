"""The nameko service in a ServiceContainer on the real RabbitMQ (a vhost of its own), called the way
the gateway calls it, and its events published on auth.events."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from kombu import Connection, Exchange, Queue
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from ims_common.errors import IMSError
from ims_common.stores import open_blob_store, open_document_store, open_event_store
from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.wait import wait_until
from ims_common.tokens import verify_token
from services.auth import bootstrap
from services.auth.tests.conftest import PASSWORD, settings

ROOT = Path(__file__).resolve().parents[3]
KEYS = [("svc1", "service-test-signing-secret-" + "k" * 40)]


@pytest.fixture(scope="module")
def amqp_uri():
    with isolated_vhost() as uri:
        yield uri


@pytest.fixture(scope="module")
def published(amqp_uri):
    """A queue bound to every auth event, there before the service starts (so it misses none)."""
    exchange = Exchange("auth.events", type="topic", durable=True)
    with Connection(amqp_uri) as conn:
        queue = Queue("auth-service-test", exchange, routing_key="#", exclusive=True)(conn.default_channel)
        queue.declare()
        yield queue


@pytest.fixture(scope="module")
def service(amqp_uri, published, tmp_path_factory):
    """The running service, with a first coordinator made before it started (as run.py does)."""
    data = tmp_path_factory.mktemp("auth-service")
    url = f"sqlite:///{data / 'auth.sqlite3'}"
    stores = open_event_store(url), open_document_store(url), open_blob_store(url)
    bootstrap.build(*stores, settings=settings(lambda: KEYS)).accounts.bootstrap_coordinator(
        "coord@example.org", "Claire", "Ouellet", PASSWORD)
    for store in stores:
        store.close()
    env = dict(os.environ, AUTH_STORE_URL=url, IMS_DATA_DIR=str(data), AMQP_URI=amqp_uri,
               IMS_JWT_KEYS=",".join(f"{kid}:{secret}" for kid, secret in KEYS), PYTHONPATH=str(ROOT),
               # the recording fake of notification.send_account_message: a JSON line per message
               IMS_AUTH_MESSENGER=f"file:{data / 'messages.jsonl'}")
    out = data / "container.out"
    with open(out, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "services.auth.tests.container_main", amqp_uri],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: b"auth container started" in out.read_bytes() or proc.poll() is not None, timeout=60)
        assert proc.poll() is None, out.read_text()
        proc.messages = data / "messages.jsonl"
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def rpc(amqp_uri, service):
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as proxy:
        yield proxy


def sent_messages(service) -> list[dict]:
    return [json.loads(line) for line in service.messages.read_text().splitlines()]


def remote_error(call, *args) -> IMSError:
    with pytest.raises(RemoteError) as err:
        call(*args)
    return IMSError.from_remote(err.value.exc_type, err.value.value)


def test_login_over_rpc(rpc):
    result = rpc.auth.login("Coord@Example.org", PASSWORD, "127.0.0.1")
    claims = verify_token(result["access_token"], KEYS)
    assert claims["sub"] == result["user"]["user_id"] == "UBICO0001"
    assert claims["role"] == "coordinator"


def test_login_refusals_look_the_same_over_rpc(rpc):
    wrong = remote_error(rpc.auth.login, "coord@example.org", "Wrong-Password-99", "127.0.0.1")
    unknown = remote_error(rpc.auth.login, "nobody@example.org", PASSWORD, "127.0.0.1")
    assert type(wrong).__name__ == type(unknown).__name__ == "Unauthorized"
    assert (wrong.code, wrong.fields) == (unknown.code, unknown.fields) == ("auth.invalid_credentials", {})


def test_accounts_over_rpc_and_events_published(rpc, published, service):
    actor = {"user_id": "UBICO0001", "role": "coordinator"}
    created = rpc.auth.create_account(actor, {"email": "pepe@example.org", "first_name": "Pepe",
                                              "last_name": "Nomme", "role": "interpreter"})
    assert created["user_id"] == "UBIPN0002" and "temporary_password" not in created
    messages = sent_messages(service)
    temporary = [m for m in messages if m["kind"] == "temporary_password"][-1]
    assert temporary["recipient"]["email"] == "pepe@example.org" and temporary["params"]["password"]
    restricted = rpc.auth.login("pepe@example.org", temporary["params"]["password"], "127.0.0.1")
    assert restricted["password_change_required"] is True and "refresh_token" not in restricted
    assert rpc.auth.get_account(actor, "UBIPN0002")["must_change_password"] is True
    page = rpc.auth.list_accounts(actor, {"role": "interpreter"})
    assert [a["user_id"] for a in page["items"]] == ["UBIPN0002"]
    denied = remote_error(rpc.auth.list_accounts, {"user_id": "UBIPN0002", "role": "interpreter"}, {})
    assert denied.code == "auth.forbidden"
    invalid = remote_error(rpc.auth.create_account, actor, {"email": "x"})
    assert invalid.fields["email"] == ["field.invalid_email"]

    received = []

    def both_created():
        message = published.get(no_ack=True)
        if message is not None:
            received.append(message.payload)
        return len(received) == 2

    wait_until(both_created, timeout=15)
    assert [(e["type"], e["data"]["user_id"]) for e in received] == [
        ("AccountCreated", "UBICO0001"), ("AccountCreated", "UBIPN0002")]
    assert all("password_hash" not in e["data"] for e in received)
    assert rpc.auth.events_since(0, 10) == received
    assert rpc.auth.health() == {"service": "auth", "ok": True, "last_position": 2, "parked": 0}
