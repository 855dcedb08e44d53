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


# Every way a URL may spell the metadata address (WHATWG's IPv4 parser, which browsers, curl and
# glibc's inet_aton share): decimal, hex, octal, mixed and short forms, a final dot, IPv6-mapped.
METADATA_FORMS = ["2852039166", "0xa9fea9fe", "0XA9FEA9FE", "025177524776", "0251.0376.0251.0376",
                  "0xa9.0xfe.0xa9.0xfe", "169.254.43518", "169.16689662", "0xa9.254.0251.254",
                  "169.254.169.254.", "[::ffff:169.254.169.254]", "[::ffff:a9fe:a9fe]",
                  "[0:0:0:0:0:ffff:a9fe:a9fe]", "[::169.254.169.254]", "[64:ff9b::a9fe:a9fe]",
                  "012.0.0.1", "0xa.0.0.1", "167772161"]


@pytest.mark.parametrize("host", METADATA_FORMS)
def test_numeric_forms_of_internal_addresses_are_refused(host):
    assert check_url(f"https://{host}/hook") is None, host
    assert check_url(f"https://{host}:8443/hook") is None, host


def test_numeric_forms_of_public_and_loopback_addresses_read_as_those():
    assert check_url("https://134744072/hook") == "https://134744072/hook"        # 8.8.8.8
    assert check_url("http://2130706433:9/hook") == "http://2130706433:9/hook"    # 127.0.0.1: local use
    assert check_url("http://0x7f.1:9/hook") == "http://0x7f.1:9/hook"
    assert check_url("https://0x7g.example.org/hook") == "https://0x7g.example.org/hook"   # a name
    assert check_url("https://4294967296/hook") is None                             # beyond IPv4: not a name


def test_the_delivery_connects_to_the_address_it_checked(monkeypatch):
    """DNS rebinding: the name answers a public (here loopback) address to the check and the metadata
    address right after; the delivery must resolve once and connect to what it checked."""
    import socket
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            seen.append(self.headers["Host"])
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    answers = iter([("127.0.0.1", port)] + [("169.254.169.254", port)] * 5)
    calls = []

    def rebinding(host, *args, **kwargs):
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", next(answers))]

    monkeypatch.setattr("socket.getaddrinfo", rebinding)
    try:
        status = http_post(f"http://rebind.example:{port}/hook", b"{}", {"Content-Type": "application/json"}, 3)
    finally:
        server.shutdown()
    assert status == 204 and calls == ["rebind.example"]
    assert seen == [f"rebind.example:{port}"]            # the original host, for the endpoint (and TLS)
