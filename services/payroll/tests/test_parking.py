"""Payroll never moves past a booking event it could not apply: it is retried, then parked (health,
the CLI's `parked`), the events after it go on, and once the cause is fixed `parked --retry` applies
it. A replay after a crash between payroll's writes publishes nothing twice."""
from __future__ import annotations

import json

from ims_common.projection import MAX_ATTEMPTS
from services.payroll import bootstrap, cli
from services.payroll.tests.test_app import COORD, INES, NOW, Source, feed, served, stores  # noqa: F401


def catch_up_until_settled(app, booking: Source, auth: Source) -> None:
    """What the service's timer does every 2 s: a failing event propagates until it is parked."""
    for _ in range(MAX_ATTEMPTS):
        try:
            feed(app, booking, auth)
            return
        except Exception:
            continue
    feed(app, booking, auth)


def test_an_event_that_cannot_be_folded_is_parked_not_skipped(stores):  # noqa: F811
    app, booking, auth = bootstrap.build(stores, clock=lambda: NOW), Source(), Source()
    orphan = booking.add("booking-HC-24459999", "BookingAccepted", {"interpreter_id": INES["user_id"]})
    bid = served(booking, "2024-11-05T16:00:00Z", "2024-11-05T11:00:00-05:00", "2024-11-05T13:00:00-05:00")
    catch_up_until_settled(app, booking, auth)
    health = app.health()
    assert health["checkpoint"] == len(booking.events) and health["parked"] == 1
    [parked] = app.parked()
    assert parked["event_id"] == orphan["event_id"] and parked["projector"] == "booking"
    assert "BookingAccepted before BookingCreated" in parked["error"]
    assert app.get_remuneration(COORD, bid)["items"][0]["total"] == "82.00"       # the others went on


def test_the_cli_lists_parked_events_and_a_retry_applies_them_once_fixed(stores, monkeypatch, capsys, tmp_path):  # noqa: F811,E501
    app, booking, auth = bootstrap.build(stores, clock=lambda: NOW), Source(), Source()
    bid = served(booking, "2024-11-05T16:00:00Z", "2024-11-05T11:00:00-05:00", "2024-11-05T13:00:00-05:00",
                 close=False)
    broken = booking.add(f"booking-{bid}", "BookingClosed", {"comment": None})
    real_price = app._price_booking

    def failing(booking_state, cause, only_interpreter=None):
        if cause.event_id == broken["event_id"]:
            raise LookupError("no rate in force for this service date")
        return real_price(booking_state, cause, only_interpreter)

    app._price_booking = failing
    catch_up_until_settled(app, booking, auth)
    assert [p["event_id"] for p in app.parked()] == [broken["event_id"]]
    assert app.get_remuneration(COORD, bid)["items"][0]["kind"] == "provisional"   # not final, not lost

    monkeypatch.setattr(bootstrap, "open_stores", lambda: stores)
    monkeypatch.setattr(stores, "close", lambda: None)
    assert cli.main(["parked"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(p["projector"], p["position"], p["type"]) for p in listed] == [("booking", broken["position"],
                                                                            "BookingClosed")]
    app._price_booking = real_price                                               # the fix is deployed
    assert cli.main(["parked", "--retry"]) == 0
    assert json.loads(capsys.readouterr().out) == {"marked_for_retry": 1}
    feed(app, booking, auth)                                                      # the next catch-up
    assert app.parked() == [] and app.health()["parked"] == 0
    assert app.get_remuneration(COORD, bid)["items"][0]["kind"] == "final"
    assert [e["data"]["kind"] for e in app.events_since(0, 100)] == ["provisional", "final"]


def test_a_replay_after_a_crash_between_publishing_and_recording_publishes_nothing_twice(stores):  # noqa: F811
    """A payroll process killed after appending RemunerationCalculated but before its remuneration
    and checkpoint writes: the event is applied again (by it, restarted, or the other process)."""
    app, booking, auth = bootstrap.build(stores, clock=lambda: NOW), Source(), Source()
    bid = served(booking, "2024-11-05T16:00:00Z", "2024-11-05T11:00:00-05:00", "2024-11-05T13:00:00-05:00")

    class Killed(BaseException):
        pass

    real_put = app.docs.put

    def dies_after_publishing(collection, key, doc):
        if collection == "remunerations" and doc.get("kind") == "final":
            raise Killed()
        return real_put(collection, key, doc)

    app.docs.put = dies_after_publishing
    try:
        feed(app, booking, auth)
    except Killed:
        pass
    app.docs.put = real_put
    assert [e["data"]["kind"] for e in app.events_since(0, 100)] == ["provisional", "final"]
    again = bootstrap.build(stores, clock=lambda: NOW)                            # restarted
    feed(again, booking, auth)
    assert [e["data"]["kind"] for e in again.events_since(0, 100)] == ["provisional", "final"]   # once
    assert again.get_remuneration(COORD, bid)["items"][0]["kind"] == "final"
