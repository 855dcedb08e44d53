"""Webhook endpoints cannot turn deliveries into probes of the internal network (SSRF): a literal
internal address is refused at registration, a name resolving to one is refused at each delivery
(recorded as the attempt's error), unless the network is explicitly allowed."""
from __future__ import annotations

import pytest

from services.webhooks.adapters.http import BlockedAddress, check_resolved, http_post
from services.webhooks.domain.subscriptions import address_allowed, check_url, parse_networks

INTERNAL = ["10.1.2.3", "172.16.0.1", "192.168.1.10", "169.254.169.254", "0.0.0.0", "100.64.0.1",
            "fd00::1", "fe80::1", "::ffff:10.0.0.1", "224.0.0.1"]


@pytest.mark.parametrize("address", INTERNAL)
def test_internal_addresses_are_refused(address):
    assert not address_allowed(address)
    host = f"[{address}]" if ":" in address else address
    assert check_url(f"https://{host}/hook") is None


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "127.0.0.1", "::1"])
def test_public_and_loopback_addresses_are_allowed(address):
    assert address_allowed(address)


def test_an_allowed_network_opens_only_that_network():
    networks = parse_networks("10.20.0.0/16, not-a-network ,192.168.5.0/24")
    assert len(networks) == 2
    assert address_allowed("10.20.3.4", networks) and address_allowed("192.168.5.9", networks)
    assert not address_allowed("10.21.0.1", networks)
    assert check_url("https://10.20.3.4/hook", networks) == "https://10.20.3.4/hook"


def test_a_name_resolving_inside_is_refused_before_any_connection(monkeypatch):
    check_resolved("http://localhost:9/hook", ())        # resolves to loopback: allowed
    monkeypatch.setattr("socket.getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("169.254.169.254", 443))])
    with pytest.raises(BlockedAddress, match="169.254.169.254"):
        http_post("https://metadata.example.org/hook", b"{}", {}, 1)
    check_resolved("https://metadata.example.org/hook", parse_networks("169.254.0.0/16"))
