"""A RabbitMQ virtual host of its own for a test (or a test run), made and removed with rabbitmqctl."""
from __future__ import annotations

import os
import subprocess
import uuid
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import pytest

from ims_common import config
from ims_common.testing.wait import wait_until


def _ctl(*args: str) -> list[str]:
    out = subprocess.run([os.environ.get("RABBITMQCTL", "rabbitmqctl"), "-q", *args], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    return [line.strip() for line in out.splitlines()]


def uri_for_vhost(vhost: str, base_uri: str | None = None) -> str:
    """base_uri (default: AMQP_URI) with its virtual host replaced."""
    parts = urlsplit(base_uri or config.amqp_uri())
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(vhost, safe=""), parts.query, ""))


def vhost_of(amqp_uri: str) -> str:
    return unquote(urlsplit(amqp_uri).path[1:]) or "/"


@contextmanager
def isolated_vhost(user: str | None = None, default_queue_type: str | None = None) -> Iterator[str]:
    """Yield the AMQP URI of a fresh vhost `ims-test-<uuid>` on the broker of AMQP_URI; delete it after.
    The broker must be local (rabbitmqctl); user (default: the URI's user) gets all permissions.
    default_queue_type ("quorum"): the type of the queues declared there without one."""
    base = config.amqp_uri()
    user = user or urlsplit(base).username or "guest"
    vhost = f"ims-test-{uuid.uuid4().hex}"
    _ctl("add_vhost", vhost, *(["--default-queue-type", default_queue_type] if default_queue_type else []))
    try:
        _ctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
        yield uri_for_vhost(vhost, base)
    finally:
        _ctl("delete_vhost", vhost)


@pytest.fixture
def isolated_amqp_uri() -> Iterator[str]:
    """pytest fixture: the AMQP URI of a vhost made for this one test (import it into a conftest)."""
    with isolated_vhost() as uri:
        yield uri


def _connections(vhost: str) -> dict[str, str]:
    """name -> state of the vhost's client connections (a name is the client's address and port)."""
    rows = [row.split("\t") for row in _ctl("list_connections", "--no-table-headers", "vhost", "name", "state")]
    return {r[1]: r[-1] for r in rows if len(r) >= 3 and r[0] == vhost}


def close_connections(amqp_uri: str) -> None:
    """Close every client connection of the URI's vhost (a broker-side disconnect); return once the
    broker has closed each of those (it lists a closed connection until the client answers). A client
    that reconnects at once opens a new connection, from another port: that one is not waited for."""
    vhost = vhost_of(amqp_uri)
    before = set(_connections(vhost))
    _ctl("close_all_connections", "-p", vhost, "closed by test")

    def all_closed():
        now = _connections(vhost)
        return not [name for name in before if now.get(name) not in (None, "closing", "closed")]

    wait_until(all_closed, timeout=60, interval=0.1)
