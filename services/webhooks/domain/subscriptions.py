"""Subscription rules: which endpoints are allowed, which events a subscription wants, retry schedule."""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOOPBACK_NAMES = ("localhost",)
MAX_ATTEMPTS = 8                 # then the delivery is "failed" (visible; not retried)
BASE_DELAY_SECONDS = 5
MAX_DELAY_SECONDS = 3600


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url) -> str | None:
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
