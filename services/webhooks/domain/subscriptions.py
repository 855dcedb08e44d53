"""Subscription rules: which endpoints are allowed, which events a subscription wants, retry schedule."""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from services.auth.contract.vocabulary import EVENTS_CONTEXT, STAFF, SYSTEM

LOOPBACK_NAMES = ("localhost",)
MAX_ATTEMPTS = 8                 # then the delivery is "failed" (visible; not retried)
BASE_DELAY_SECONDS = 5
MAX_DELAY_SECONDS = 3600


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_networks(text: str | None) -> tuple:
    """`WEBHOOKS_ALLOWED_NETWORKS`: comma-separated CIDRs (e.g. the health network's 10.0.0.0/8) that
    endpoints may resolve to besides public addresses; a malformed entry is ignored."""
    networks = []
    for item in (text or "").split(","):
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            continue
    return tuple(networks)


def address_allowed(address: str, allowed_networks: tuple = ()) -> bool:
    """May a delivery connect to this IP? Public addresses and loopback (the service's own host: tests,
    local use) yes; private, link-local (cloud metadata), reserved, multicast and unspecified ones only
    inside an allowed network, so an endpoint cannot make the service probe the internal network."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback or any(ip in net for net in allowed_networks):
        return True
    return ip.is_global and not ip.is_multicast


def check_url(url, allowed_networks: tuple = ()) -> str | None:
    """The endpoint URL if acceptable, else None: https anywhere; http only on loopback (tests and
    local use); no credentials in the URL, no fragment."""
    if not isinstance(url, str) or len(url) > 2000 or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if not host or parts.username or parts.password or parts.fragment:
        return None
    if _is_ip(host) and not address_allowed(host, allowed_networks):
        return None      # a literal internal address is refused at once; names are checked per delivery
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and is_loopback(host):
        return url
    del port
    return None


def wants(subscription: dict, event_type: str) -> bool:
    types = subscription.get("event_types")
    return bool(subscription.get("active")) and (not types or event_type in types)


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the attempts-th failed attempt: 5 s, 10 s, 20 s… capped at an hour."""
    return min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** max(0, attempts - 1))


def can_manage(actor: dict, subscription: dict) -> bool:
    """Coordinators and admins manage every subscription; a system only its own."""
    role = (actor or {}).get("role")
    return role in ("coordinator", "admin") or (role == "system" and subscription.get("owner") == actor.get("user_id"))


def may_receive_context(actor: dict) -> bool:
    """May this creator ask for the booking's health-context category in its deliveries (opt-in,
    issue 18)? A system token granted `events:context`, or the bank's staff (who see the context in
    IMS and answer for the endpoint they register)."""
    actor = actor or {}
    role = actor.get("role")
    if role in STAFF:
        return True
    scopes = actor.get("scopes")
    return role == SYSTEM and isinstance(scopes, list) and EVENTS_CONTEXT in scopes
