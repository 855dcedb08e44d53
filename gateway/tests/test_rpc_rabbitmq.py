"""RpcPool against the real RabbitMQ (a vhost of its own) and a small nameko service in its own
process: threads share the pool, errors map, a timeout or a broker-side disconnect costs one call,
and the pool recovers. This process is not eventlet-patched, like gunicorn's gthread workers."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gateway.rpc import RpcPool, ServiceClient, ServiceError
from ims_common.errors import Conflict

from ims_common.testing import rabbit
from ims_common.testing.wait import wait_until

ROOT = Path(__file__).resolve().parents[2]


# Needs RabbitMQ like every service test (.ci/run starts it): a broker that is down fails, never skips.
@pytest.fixture(scope="module")
def amqp_uri():
    with rabbit.isolated_vhost() as uri:
        yield uri


@pytest.fixture(scope="module")
def echo(amqp_uri, tmp_path_factory):
    out = tmp_path_factory.mktemp("echo") / "echo.out"
    with open(out, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "gateway.tests.echo_service", amqp_uri], cwd=ROOT,
                                env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: b"echo container started" in out.read_bytes() or proc.poll() is not None, timeout=60)
        assert proc.poll() is None, out.read_text()
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def client(amqp_uri, echo):
    pool = RpcPool(amqp_uri, size=4, timeout=10)
    yield ServiceClient(pool)
    pool.close()


def test_many_threads_share_a_few_connections(client):
    results, errors = {}, []

    def work(i):
        try:
            results[i] = client.call("echo", "echo", {"n": i, "texte": "Français"})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert results == {i: {"n": i, "texte": "Français"} for i in range(24)}
    assert client.backend._created <= 4


def test_service_errors_map(client):
    with pytest.raises(Conflict) as conflict:
        client.call("echo", "conflict")
    assert conflict.value.code == "booking.already_taken"
    with pytest.raises(ServiceError) as crash:
        client.call("echo", "crash")
    assert (crash.value.http_status, crash.value.code) == (502, "service.error")
    with pytest.raises(ServiceError) as missing:
        client.call("echo", "no_such_method")
    assert missing.value.http_status == 502
    assert client.call("echo", "echo", 1) == 1  # the connection survived all three


def test_unknown_service_is_503_at_once(client):
    started = time.monotonic()
    with pytest.raises(ServiceError) as info:
        client.call("nobody", "health")
    assert (info.value.http_status, info.value.code) == (503, "service.unavailable")
    assert time.monotonic() - started < 5


def test_a_timeout_is_503_and_its_late_reply_never_reaches_the_next_call(client):
    with pytest.raises(ServiceError) as info:
        client.call("echo", "slow", 1.5, "late", timeout=0.3)
    assert (info.value.http_status, info.value.code) == (503, "service.timeout")
    time.sleep(1.5)  # let the late reply arrive somewhere; it must not be taken for the next answer
    assert [client.call("echo", "echo", i) for i in range(6)] == list(range(6))


def test_the_pool_recovers_after_the_broker_drops_its_connections(client, amqp_uri):
    assert [client.call("echo", "echo", i) for i in range(4)] == list(range(4))
    subprocess.run(["rabbitmqctl", "-q", "close_all_connections", "-p", rabbit.vhost_of(amqp_uri), "test"],
                   check=True, capture_output=True, timeout=60)
    failures = []

    def answers():
        try:
            return client.call("echo", "echo", "after", timeout=3) == "after"
        except ServiceError as exc:  # while the service reconnects too: a clean 503, never a crash
            failures.append((exc.http_status, exc.code))
            return False

    wait_until(answers, timeout=60, interval=0.2)
    assert all(status == 503 for status, _ in failures), failures
    assert [client.call("echo", "echo", i) for i in range(8)] == list(range(8))


def test_healthz_with_the_real_pool(amqp_uri, echo, monkeypatch):
    from gateway.app import create_app

    monkeypatch.setenv("AMQP_URI", amqp_uri)
    app = create_app()
    started = time.monotonic()
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503  # none of the four services runs on this vhost
    assert resp.get_json()["services"]["booking"] == {"reachable": False, "error": "service.unavailable"}
    assert time.monotonic() - started < 10
    app.extensions["ims_rpc"].backend.close()
