"""Endpoints are independent: one that fails or hangs holds up only its own deliveries, which keep
their order; one that keeps failing is paused, probed and resumed, its backlog visible; a deleted
subscription's history stays readable. WebhooksApp on real SQLite with the booking app as source."""
from __future__ import annotations

import json
import threading

import pytest

from ims_common.errors import NotFound
from services.booking.tests.app_fixtures import Clock, Stores
from services.booking.tests.scenario import COORD, FIELDS, NOW, REQUESTER
from services.webhooks import bootstrap
from services.webhooks.domain import circuit
from services.webhooks.tests.test_webhooks_app import SYSTEM


class PerUrl:
    """A sender answering per endpoint: a list of answers (then 200), or a callable."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.answers: dict[str, list] = {}

    def __call__(self, url, body, headers, timeout):
        self.calls.append((url, json.loads(body)))
        answers = self.answers.get(url)
        answer = answers.pop(0) if isinstance(answers, list) and answers else (answers or 200)
        if callable(answer):
            answer = answer()
        if isinstance(answer, Exception):
            raise answer
        return answer

    def positions(self, url) -> list[int]:
        return [body["position"] for u, body in self.calls if u == url]


@pytest.fixture
def hooks(tmp_path):
    booking_stores = Stores(f"sqlite:///{tmp_path / 'booking.sqlite3'}")
    hook_stores = Stores(f"sqlite:///{tmp_path / 'webhooks.sqlite3'}")
    clock, sender = Clock(NOW), PerUrl()
    yield booking_stores.app(clock), bootstrap.build(hook_stores, {}, send=sender, clock=clock), clock, sender
    booking_stores.close()
    hook_stores.close()


def bookings(booking, app, n: int) -> None:
    for _ in range(n):
        booking.create_booking(REQUESTER, FIELDS)
    app.catch_up(booking.events_since)


def test_a_failing_endpoint_keeps_its_order_and_holds_up_no_other(hooks):
    booking, app, clock, sender = hooks
    down = app.create_subscription(SYSTEM, {"url": "https://down.example/hook"})
    up = app.create_subscription(SYSTEM, {"url": "https://up.example/hook"})
    sender.answers["https://down.example/hook"] = [503, 503]
    bookings(booking, app, 3)
    app.deliver_due()
    assert sender.positions("https://up.example/hook") == [1, 2, 3]           # all of them, at once
    assert sender.positions("https://down.example/hook") == [1]                # its head, then it waits
    clock.advance(seconds=5)
    app.deliver_due()
    assert sender.positions("https://down.example/hook") == [1, 1]
    clock.advance(seconds=10)
    app.deliver_due()                                                          # the head goes, then the rest
    assert sender.positions("https://down.example/hook") == [1, 1, 1, 2, 3]
    assert {d["status"] for d in app.deliveries(SYSTEM, down["id"])} == {"delivered"}
    assert app.subscription(SYSTEM, up["id"])["backlog"] == 0


def test_an_endpoint_that_keeps_failing_is_paused_probed_and_resumed_with_its_backlog_visible(hooks):
    booking, app, clock, sender = hooks
    sub = app.create_subscription(SYSTEM, {"url": "https://flaky.example/hook"})
    sender.answers["https://flaky.example/hook"] = [ConnectionRefusedError("refused")] * circuit.FAILURES_TO_PAUSE
    bookings(booking, app, 4)
    for _ in range(circuit.FAILURES_TO_PAUSE):
        app.deliver_due()
        clock.advance(seconds=40)          # past each retry delay (5, 10, 20, 40 s)
    view = app.subscription(SYSTEM, sub["id"])
    assert view["paused"] and view["backlog"] == 4 and view["consecutive_failures"] == circuit.FAILURES_TO_PAUSE
    assert view["oldest_pending_position"] == 1 and view["oldest_pending_since"] and view["next_probe_at"]
    assert app.list_subscriptions(SYSTEM)[0]["paused"] and app.health()["paused_endpoints"] == 1
    calls = len(sender.calls)
    assert app.endpoints_due() == [] and app.deliver_due() == 0 and len(sender.calls) == calls   # paused
    clock.advance(seconds=circuit.PAUSE_FIRST_SECONDS - 40)
    sender.answers["https://flaky.example/hook"] = [500]
    assert app.deliver_due() == 0 and len(sender.calls) == calls + 1                  # one probe, failed
    view = app.subscription(SYSTEM, sub["id"])
    assert view["paused"] and view["backlog"] == 4
    clock.advance(seconds=circuit.PAUSE_FIRST_SECONDS)
    assert app.deliver_due() == 0                                                     # paused twice as long
    clock.advance(seconds=circuit.PAUSE_FIRST_SECONDS)
    assert app.deliver_due() == 4                                                     # probe ok: drained
    assert sender.positions("https://flaky.example/hook")[-4:] == [1, 2, 3, 4]
    view = app.subscription(SYSTEM, sub["id"])
    assert not view["paused"] and view["backlog"] == 0 and view["consecutive_failures"] == 0
    assert app.health()["paused_endpoints"] == 0


def test_an_operator_resumes_a_paused_endpoint_at_once(hooks):
    booking, app, clock, sender = hooks
    sub = app.create_subscription(COORD, {"url": "https://late.example/hook"})
    sender.answers["https://late.example/hook"] = [500] * circuit.FAILURES_TO_PAUSE
    bookings(booking, app, 2)
    for _ in range(circuit.FAILURES_TO_PAUSE):
        app.deliver_due()
        clock.advance(seconds=40)
    assert app.subscription(COORD, sub["id"])["paused"] and app.endpoints_due() == []
    assert app.resume(COORD, sub["id"])["paused"]                # still paused until the probe answers
    assert app.deliver_due() == 2 and not app.subscription(COORD, sub["id"])["paused"]


def test_a_hanging_endpoint_does_not_hold_another_one(hooks):
    """The app's part: no lock shared by endpoints (the service runs one worker per endpoint)."""
    booking, app, clock, sender = hooks
    hangs = app.create_subscription(SYSTEM, {"url": "https://hangs.example/hook"})["id"]
    fine = app.create_subscription(SYSTEM, {"url": "https://fine.example/hook"})["id"]
    release, entered = threading.Event(), threading.Event()

    def hang():
        entered.set()
        release.wait(30)
        return 200

    sender.answers["https://hangs.example/hook"] = hang
    bookings(booking, app, 2)
    assert set(app.endpoints_due()) == {hangs, fine}
    hanging = threading.Thread(target=app.deliver_endpoint, args=(hangs,))
    hanging.start()
    try:
        assert entered.wait(10)
        assert app.deliver_endpoint(hangs) == 0                   # taken: not a second worker
        assert app.deliver_endpoint(fine) == 2
        assert sender.positions("https://fine.example/hook") == [1, 2]
    finally:
        release.set()
        hanging.join(10)


def test_a_deleted_subscription_keeps_its_history(hooks):
    booking, app, clock, sender = hooks
    sub = app.create_subscription(SYSTEM, {"url": "https://gone.example/hook"})
    bookings(booking, app, 2)
    app.deliver_due()
    sender.answers["https://gone.example/hook"] = [500]
    bookings(booking, app, 1)
    app.deliver_due()
    deleted = app.delete_subscription(SYSTEM, sub["id"])
    assert not deleted["active"] and deleted["deleted_at"] and deleted["backlog"] == 0
    assert [d["status"] for d in app.deliveries(SYSTEM, sub["id"])] == ["cancelled", "delivered", "delivered"]
    assert app.deliveries(SYSTEM, sub["id"], {"status": "cancelled"})[0]["attempts"] == 1
    assert app.subscription(SYSTEM, sub["id"])["active"] is False
    assert app.list_subscriptions(SYSTEM) == []
    with pytest.raises(NotFound):
        app.delete_subscription(SYSTEM, sub["id"])                # once
    with pytest.raises(NotFound):
        app.deliveries({"user_id": "SYS-other", "role": "system"}, sub["id"])
