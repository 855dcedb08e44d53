"""RpcPool mechanics with stand-in connections: lazy, bounded, one thread per connection, broken
connections replaced, per-call timeouts."""
from __future__ import annotations

import threading

import pytest
from nameko.exceptions import RemoteError, RpcTimeout

from gateway.rpc import PoolExhausted, RpcPool, ServiceClient, ServiceError


class Conn:
    opened: list["Conn"] = []

    def __init__(self, uri, timeout, fail_with=None):
        self.uri, self.default_timeout, self.fail_with = uri, timeout, fail_with
        self.busy = threading.Lock()
        self.closed = False
        self.timeouts = []
        Conn.opened.append(self)

    def call(self, service, method, args, timeout):
        assert self.busy.acquire(blocking=False), "two threads on one connection"
        try:
            assert not self.closed
            self.timeouts.append(timeout)
            if method == "wait":
                args[0].wait(5)
            if self.fail_with is not None:
                raise self.fail_with
            return (service, method, args)
        finally:
            self.busy.release()

    def close(self):
        self.closed = True


@pytest.fixture(autouse=True)
def fresh():
    Conn.opened = []


def test_nothing_connects_until_the_first_call():
    pool = RpcPool("amqp://nowhere:1/", size=2, timeout=3, connect=Conn)
    assert Conn.opened == []
    assert pool.call("booking", "health") == ("booking", "health", ())
    assert len(Conn.opened) == 1 and Conn.opened[0].uri == "amqp://nowhere:1/"


def test_sizes_and_timeouts_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("GATEWAY_RPC_POOL", "3")
    monkeypatch.setenv("GATEWAY_RPC_TIMEOUT", "2.5")
    monkeypatch.setenv("AMQP_URI", "amqp://u:p@broker:5672/")
    pool = RpcPool(connect=Conn)
    assert (pool.size, pool.timeout, pool.amqp_uri) == (3, 2.5, "amqp://u:p@broker:5672/")
    monkeypatch.setenv("GATEWAY_RPC_POOL", "nonsense")
    monkeypatch.delenv("GATEWAY_RPC_TIMEOUT")
    assert (RpcPool(connect=Conn).size, RpcPool(connect=Conn).timeout) == (8, 10.0)


def test_connections_are_reused_and_the_timeout_is_per_call():
    pool = RpcPool("amqp://x/", size=4, timeout=10, connect=Conn)
    pool.call("auth", "health")
    pool.call("auth", "health", timeout=0.5)
    assert len(Conn.opened) == 1
    assert Conn.opened[0].timeouts == [10, 0.5]


def test_at_most_size_connections_each_used_by_one_thread_at_a_time():
    pool = RpcPool("amqp://x/", size=3, timeout=5, connect=Conn)
    release = threading.Event()
    results, errors = [], []

    def worker(i):
        try:
            results.append(pool.call("booking", "wait" if i < 3 else "get", release if i < 3 else i))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    release.set()
    for t in threads:
        t.join(10)
    assert errors == [] and len(results) == 12
    assert len(Conn.opened) == 3


def test_all_busy_past_the_timeout_is_pool_exhausted():
    pool = RpcPool("amqp://x/", size=1, timeout=5, connect=Conn)
    release = threading.Event()
    holder = threading.Thread(target=pool.call, args=("booking", "wait", release))
    holder.start()
    try:
        with pytest.raises(PoolExhausted):
            pool.call("booking", "get", timeout=0.05)
    finally:
        release.set()
        holder.join(5)
    assert pool.call("booking", "get") == ("booking", "get", ())


@pytest.mark.parametrize("failure", [ConnectionResetError(104, "reset"), RpcTimeout(1), RuntimeError("disconnected")])
def test_a_broken_connection_is_closed_and_replaced(failure):
    pool = RpcPool("amqp://x/", size=2, timeout=5, connect=lambda uri, t: Conn(uri, t, fail_with=failure))
    with pytest.raises(type(failure)):
        pool.call("booking", "get")
    assert Conn.opened[0].closed
    pool._connect = Conn
    assert pool.call("booking", "get") == ("booking", "get", ())
    assert len(Conn.opened) == 2 and pool._created == 1


def test_a_remote_error_keeps_the_connection():
    pool = RpcPool("amqp://x/", size=2, timeout=5, connect=lambda uri, t: Conn(uri, t, fail_with=RemoteError("Conflict", "{}")))
    for _ in range(3):
        with pytest.raises(RemoteError):
            pool.call("booking", "execute")
    assert len(Conn.opened) == 1 and not Conn.opened[0].closed


def test_a_failed_connect_frees_its_slot():
    def refuse(uri, timeout):
        raise ConnectionRefusedError(111, "refused")

    pool = RpcPool("amqp://x/", size=1, timeout=5, connect=refuse)
    for _ in range(3):
        with pytest.raises(ConnectionRefusedError):
            pool.call("booking", "get")
    assert pool._created == 0


def test_service_client_maps_a_refused_connection_to_503():
    def refuse(uri, timeout):
        raise ConnectionRefusedError(111, "refused")

    client = ServiceClient(RpcPool("amqp://x/", size=1, timeout=5, connect=refuse))
    with pytest.raises(ServiceError) as info:
        client.call("booking", "health")
    assert (info.value.http_status, info.value.code, info.value.params) == (503, "service.unavailable", {"service": "booking"})


def test_importing_the_wsgi_module_connects_to_nothing(monkeypatch):
    import importlib
    import sys

    monkeypatch.setenv("AMQP_URI", "amqp://guest:guest@127.0.0.1:1/")  # nothing listens there
    sys.modules.pop("gateway.wsgi", None)
    module = importlib.import_module("gateway.wsgi")
    pool = module.app.extensions["ims_rpc"].backend
    assert isinstance(pool, RpcPool) and pool._created == 0
    resp = module.app.test_client().get("/healthz")
    assert resp.status_code == 503  # answered, quickly, without a broker
    assert all(not s["reachable"] for s in resp.get_json()["services"].values())
