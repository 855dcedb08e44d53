"""Subscription rules: which endpoints are allowed, which events a subscription wants, retry schedule."""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from services.auth.contract.vocabulary import EVENTS_CONTEXT, STAFF, SYSTEM

LOOPBACK_NAMES = ("localhost",)
MAX_ATTEMPTS = 8                 # then the delivery is "failed" (visible; not retried)
BASE_DELAY_SECONDS = 5
MAX_DELAY_SECONDS = 3600


_NOT_AN_ADDRESS = object()     # a host that ends in a number but is no IPv4 address: no URL at all
_HEX, _OCTAL, _DECIMAL = re.compile(r"0[xX][0-9a-fA-F]*"), re.compile(r"0[0-7]+"), re.compile(r"[0-9]+")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _ipv4_part(part: str) -> int | None:
    if _HEX.fullmatch(part):
        return int(part[2:] or "0", 16)
    if _OCTAL.fullmatch(part):
        return int(part, 8)
    if _DECIMAL.fullmatch(part):
        return int(part)
    return None


def host_address(host: str):
    """The IP address a URL's host names, read as browsers, curl and inet_aton read it (WHATWG's
    host parser): "2852039166", "0xa9fea9fe", "0251.0376.0251.0376" and "169.254.43518" are all
    169.254.169.254; None for a name; _NOT_AN_ADDRESS for a host ending in a number that no parser
    would take for one (then the URL is refused)."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()                                   # one final dot is allowed
    if not parts or _ipv4_part(parts[-1]) is None:
        return None                                   # a name
    read = [_ipv4_part(p) for p in parts]
    numbers = [n for n in read if n is not None]
    if len(numbers) != len(read) or len(numbers) > 4 or any(n > 255 for n in numbers[:-1]) \
            or numbers[-1] >= 256 ** (5 - len(numbers)):
        return _NOT_AN_ADDRESS
    value = numbers[-1]
    for i, n in enumerate(numbers[:-1]):
        value += n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    address = host_address(host)
    return isinstance(address, (ipaddress.IPv4Address, ipaddress.IPv6Address)) and address.is_loopback


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
    elif ip.version == 6 and (ip in NAT64 or int(ip) >> 32 == 0 and int(ip) > 1):
        ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)   # 64:ff9b::a9fe:a9fe, ::169.254.169.254
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
    address = host_address(host)
    if address is _NOT_AN_ADDRESS or address is not None and not address_allowed(str(address), allowed_networks):
        return None      # a literal internal address, however spelt, is refused at once; names per delivery
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
