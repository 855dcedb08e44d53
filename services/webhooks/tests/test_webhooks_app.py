"""WebhooksApp on a real SQLite store with the booking app as the source of events, a clock the
test moves and a recording sender (the real HTTP path is tested end to end in tests/)."""
from __future__ import annotations

import json

import pytest

from ims_common.errors import NotFound, ValidationFailed
from services.booking.tests.app_fixtures import SCENARIO_INTERPRETERS, Clock, Stores, hire
from services.booking.tests.scenario import ALICE, COORD, FIELDS, NOW, REQUESTER
from services.webhooks import bootstrap
from services.webhooks.domain import signing
from services.webhooks.domain.subscriptions import MAX_ATTEMPTS, check_url, retry_delay

SYSTEM = {"user_id": "SYS-finance", "role": "system"}
OTHER_SYSTEM = {"user_id": "SYS-stats", "role": "system"}


class Recorder:
    def __init__(self):
        self.calls, self.answers = [], []

    def __call__(self, url, body, headers, timeout):
        self.calls.append((url, body, headers))
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def world(tmp_path):
    booking_stores = Stores(f"sqlite:///{tmp_path / 'booking.sqlite3'}")
    hook_stores = Stores(f"sqlite:///{tmp_path / 'webhooks.sqlite3'}")
    clock = Clock(NOW)
    sender = Recorder()
    booking = booking_stores.app(clock)
    hire(booking, *SCENARIO_INTERPRETERS)     # offer takes only interpreters booking's copy knows
    hooks = bootstrap.build(hook_stores, {}, send=sender, clock=clock)
    yield booking, hooks, clock, sender
    booking_stores.close()
    hook_stores.close()


def test_signatures_verify_and_refuse_stale_tampered_or_malformed():
    body = b'{"a":1}'
    header = signing.sign("s3cret", body, now=1_000_000)
    assert signing.verify("s3cret", header, body, now=1_000_000 + 299)
    assert not signing.verify("s3cret", header, body, now=1_000_000 + 301)      # older than 5 minutes
    assert not signing.verify("s3cret", header, b'{"a":2}', now=1_000_000)
    assert not signing.verify("other", header, body, now=1_000_000)
    assert not signing.verify("s3cret", "garbage", body, now=1_000_000)


def test_endpoints_are_https_or_loopback_http():
    assert check_url("https://hooks.example.org/ims")
    assert check_url("http://127.0.0.1:8080/hook") and check_url("http://localhost/x") and check_url("http://[::1]:9/")
    for bad in ("http://hooks.example.org/ims", "ftp://x/", "https://user:pw@x.org/", "javascript:alert(1)",
                "https://", None, "https://x.org/a b"):
        assert check_url(bad) is None, bad
    assert [retry_delay(n) for n in (1, 2, 3)] == [5, 10, 20] and retry_delay(50) == 3600


def test_each_event_is_delivered_once_signed_with_its_idempotency_key(world):
    booking, hooks, clock, sender = world
    sub = hooks.create_subscription(SYSTEM, {"url": "https://finance.example/ims",
                                             "event_types": ["BookingCreated", "BookingAssigned"]})
    assert sub["secret"].startswith("whsec_") and "secret" not in hooks.list_subscriptions(SYSTEM)[0]
    bid = booking.create_booking(REQUESTER, dict(FIELDS, context_details="secret health detail"))["id"]
    booking.execute(COORD, bid, "offer", {"interpreter_ids": [ALICE["user_id"]]})
    booking.execute(COORD, bid, "assign", {"interpreter_id": ALICE["user_id"]})
    hooks.catch_up(booking.events_since)
    hooks.catch_up(booking.events_since)                                   # a replay adds nothing
    for envelope in booking.events_since(0, 100):
        hooks.on_booking_event(envelope, booking.events_since)             # nor do redeliveries
    assert hooks.deliver_due() == 2 and hooks.deliver_due() == 0
    types = [json.loads(body)["type"] for _, body, _ in sender.calls]
    assert types == ["BookingCreated", "BookingAssigned"]
    for url, body, headers in sender.calls:
        assert url == "https://finance.example/ims"
        assert signing.verify(sub["secret"], headers["IMS-Signature"], body, now=clock.now.timestamp())
        assert headers["Idempotency-Key"] == json.loads(body)["event_id"] == headers["IMS-Event-Id"]
        assert b"secret health detail" not in body
    statuses = {d["status"] for d in hooks.deliveries(SYSTEM, sub["id"])}
    assert statuses == {"delivered"}


def test_failures_are_retried_with_backoff_then_marked_failed(world):
    booking, hooks, clock, sender = world
    sub = hooks.create_subscription(COORD, {"url": "https://down.example/hook"})
    booking.create_booking(REQUESTER, FIELDS)
    hooks.catch_up(booking.events_since)
    sender.answers = [500, ConnectionRefusedError("refused")]
    assert hooks.deliver_due() == 0
    [d] = hooks.deliveries(COORD, sub["id"])
    assert d["status"] == "pending" and d["attempts"] == 1 and d["last_status_code"] == 500
    assert hooks.deliver_due() == 0 and len(sender.calls) == 1             # not due yet
    clock.advance(seconds=5)
    assert hooks.deliver_due() == 0
    [d] = hooks.deliveries(COORD, sub["id"])
    assert d["attempts"] == 2 and "refused" in d["last_error"]
    clock.advance(seconds=10)
    assert hooks.deliver_due() == 1
    first, second, third = sender.calls
    assert first[1] == third[1] and third[2]["IMS-Delivery-Attempt"] == "3"
    assert first[2]["Idempotency-Key"] == third[2]["Idempotency-Key"]
    [d] = hooks.deliveries(COORD, sub["id"], {"status": "delivered"})
    assert d["attempts"] == 3
    # a receiver that never answers: failed after MAX_ATTEMPTS, visible
    booking.create_booking(REQUESTER, FIELDS)
    hooks.catch_up(booking.events_since)
    sender.answers = [503] * MAX_ATTEMPTS
    for _ in range(MAX_ATTEMPTS):
        hooks.deliver_due()
        clock.advance(hours=1)
    assert [d["status"] for d in hooks.deliveries(COORD, sub["id"])] == ["failed", "delivered"]


def test_systems_manage_only_their_own_subscriptions(world):
    booking, hooks, clock, sender = world
    mine = hooks.create_subscription(SYSTEM, {"url": "https://a.example/"})
    theirs = hooks.create_subscription(OTHER_SYSTEM, {"url": "https://b.example/"})
    assert [s["id"] for s in hooks.list_subscriptions(SYSTEM)] == [mine["id"]]
    assert {s["id"] for s in hooks.list_subscriptions(COORD)} == {mine["id"], theirs["id"]}
    with pytest.raises(NotFound):
        hooks.delete_subscription(SYSTEM, theirs["id"])
    with pytest.raises(NotFound):
        hooks.deliveries(SYSTEM, theirs["id"])
    with pytest.raises(ValidationFailed):
        hooks.create_subscription(SYSTEM, {"url": "http://b.example/"})
    with pytest.raises(ValidationFailed):
        hooks.create_subscription(SYSTEM, {"url": "https://b.example/", "event_types": ["Nope"]})
    hooks.delete_subscription(SYSTEM, mine["id"])
    booking.create_booking(REQUESTER, FIELDS)
    hooks.catch_up(booking.events_since)
    hooks.deliver_due()
    assert [c[0] for c in sender.calls] == ["https://b.example/"]


def test_a_new_subscription_starts_after_the_events_already_applied(world):
    booking, hooks, clock, sender = world
    booking.create_booking(REQUESTER, FIELDS)
    hooks.catch_up(booking.events_since)
    sub = hooks.create_subscription(COORD, {"url": "https://late.example/"})
    booking.create_booking(REQUESTER, FIELDS)
    hooks.catch_up(booking.events_since)
    hooks.deliver_due()
    assert len(sender.calls) == 1 and json.loads(sender.calls[0][1])["position"] == 2
    assert hooks.health()["checkpoint"] == 2 and hooks.health()["pending"] == 0
    del sub, clock
