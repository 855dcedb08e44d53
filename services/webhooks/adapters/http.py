"""Delivering a webhook over HTTP: one POST, redirects never followed, and the endpoint's name
resolved once and checked, then the connection made to that very address (the original host name
still in the Host header and, for https, in SNI and the certificate check), so neither a name
pointing at 169.254.169.254 or 10.x nor one that changes its answer between the check and the
connection (DNS rebinding) can turn deliveries into probes of the internal network
(domain/subscriptions.py says which addresses)."""
from __future__ import annotations

import http.client
import socket
import ssl
from urllib.parse import urlsplit

from services.webhooks.domain.subscriptions import address_allowed


class BlockedAddress(OSError):
    """The endpoint's name resolves to an address deliveries may not reach."""


Resolved = tuple   # (address family, socket address) of getaddrinfo


def resolve_checked(host: str, port: int, networks: tuple) -> Resolved:
    """Where to connect: one resolution, every answer allowed (else BlockedAddress)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    refused = sorted({info[4][0] for info in infos if not address_allowed(info[4][0], networks)})
    if refused or not infos:
        raise BlockedAddress(f"{host} resolves to a non-public address ({', '.join(refused)})")
    return infos[0][0], infos[0][4]


def _connect(resolved: Resolved, timeout: float) -> socket.socket:
    """A socket connected to that address itself (socket.create_connection would resolve again)."""
    family, address = resolved
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(address)
    except BaseException:
        sock.close()
        raise
    return sock


def check_resolved(url: str, networks: tuple) -> Resolved:
    parts = urlsplit(url)
    return resolve_checked(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80), networks)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, resolved: Resolved, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.resolved = resolved

    def connect(self):
        self.sock = _connect(self.resolved, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, resolved: Resolved, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.resolved = resolved

    def connect(self):
        sock = _connect(self.resolved, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)   # type: ignore[attr-defined]


def http_post(url: str, body: bytes, headers: dict, timeout: float, networks: tuple = ()) -> int:
    """POSTs and returns the HTTP status (a connection failure or a refused address raises).
    `networks`: the internal networks opened with WEBHOOKS_ALLOWED_NETWORKS."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    host, port = parts.hostname or "", parts.port or (443 if https else 80)
    resolved = resolve_checked(host, port, networks)
    connection = (_PinnedHTTPS if https else _PinnedHTTP)(host, port, resolved, timeout)
    try:
        connection.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                           body=body, headers=headers)
        return connection.getresponse().status      # a redirect is an answer, never followed
    finally:
        connection.close()
