"""Delivering a webhook over HTTP (urllib): one POST, redirects never followed, and the endpoint's
name resolved and checked first, so a name pointing at 169.254.169.254 or 10.x cannot turn
deliveries into probes of the internal network (domain/subscriptions.py says which addresses)."""
from __future__ import annotations

import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from services.webhooks.domain.subscriptions import address_allowed


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):   # a redirect is an answer, never followed
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class BlockedAddress(OSError):
    """The endpoint's name resolves to an address deliveries may not reach."""


def check_resolved(url: str, networks: tuple) -> None:
    """Raises BlockedAddress unless every address the endpoint's host resolves to is allowed."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)}
    refused = sorted(a for a in addresses if not address_allowed(a, networks))
    if refused:
        raise BlockedAddress(f"{parts.hostname} resolves to a non-public address ({', '.join(refused)})")


def http_post(url: str, body: bytes, headers: dict, timeout: float, networks: tuple = ()) -> int:
    """POSTs and returns the HTTP status (a connection failure or a refused address raises).
    `networks`: the internal networks opened with WEBHOOKS_ALLOWED_NETWORKS."""
    check_resolved(url, networks)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
