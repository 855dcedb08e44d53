"""BookingApp over real adapters: numbering, commands, visibility, concurrency, attachments, events."""
from __future__ import annotations

import base64
import threading
from datetime import timedelta

import pytest

from ims_common.errors import Conflict, IMSError, NotFound, ValidationFailed
from ims_common.eventstore.port import ConcurrencyError

from .app_fixtures import app, clock, create, stores  # noqa: F401  (pytest fixtures)
from .scenario import (ADMIN, ALICE, BRUNO, CLARA, COORD, FIELDS, OTHER_REQUESTER, REQUESTER, START,
                       provided_report)

JPEG = b"\xff\xd8\xff\xe0" + b"receipt" * 10


def test_numbers_follow_the_day_and_the_establishment(app, clock):
    first, second = create(app), create(app)
    assert (first["id"], second["id"]) == ("HC-24240001", "HC-24240002")
    assert first["number"] == first["id"] and first["status"] == "pending" and first["version"] == 1
    assert first["start_at"] == "2024-09-03T13:30:00Z" and first["created_by"] == REQUESTER["user_id"]
    assert create(app, COORD, establishment="CHUM")["id"] == "CHUM-24240001"
    clock.advance(days=1)
    assert create(app)["id"] == "HC-24241001"


def test_a_stale_number_hint_only_costs_retries(app, stores):
    create(app), create(app)
    stores.doc_store.delete("booking_numbers", "HC-24240")
    assert create(app)["id"] == "HC-24240003"


def test_concurrent_creations_get_distinct_numbers(app):
    numbers, start = [], threading.Barrier(6, timeout=30)

    def create_one():
        start.wait()
        numbers.append(create(app)["id"])

    threads = [threading.Thread(target=create_one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(numbers) == [f"HC-24240{i:03d}" for i in range(1, 7)]


def test_events_name_their_actor_and_correlation(app):
    booking = create(app, dict(REQUESTER, correlation_id="req-42"))
    [event] = app.events_since(0, 10)
    assert event["type"] == "BookingCreated" and event["stream_id"] == f"booking-{booking['id']}"
    assert event["actor"] == {"user_id": REQUESTER["user_id"], "role": "requester"}
    assert event["correlation_id"] == "req-42" and event["occurred_at"].startswith("2024-08-27T14:00:00")
    assert event["data"]["number"] == booking["id"] and event["data"]["status"] == "pending"


def test_lifecycle_from_creation_to_close(app, clock):
    bid = create(app)["id"]
    app.execute(COORD, bid, "offer", {"interpreter_ids": [ALICE["user_id"], BRUNO["user_id"]]})
    app.execute(BRUNO, bid, "decline", {"reason": "Non disponible"})
    booked = app.execute(ALICE, bid, "accept", {})
    assert booked["status"] == "booked" and booked["assigned_interpreter_id"] == ALICE["user_id"]
    with pytest.raises(Conflict) as info:
        app.execute(ALICE, bid, "report", provided_report())
    assert info.value.code == "booking.report_too_early"
    clock.now = START + timedelta(hours=2)
    assert app.execute(ALICE, bid, "report", provided_report())["status"] == "service_provided"
    closed = app.execute(COORD, bid, "close", {"comment": "Conforme"})
    assert closed["status"] == "closed" and closed["closed_at"].startswith("2024-09-03T15:30:00")
    with pytest.raises(Conflict):
        app.execute(ALICE, bid, "correct-report", provided_report(comments="oups"))
    corrected = app.execute(COORD, bid, "correct-report", provided_report(comments="Corrigé"))
    assert corrected["report"]["comments"] == "Corrigé" and corrected["status"] == "closed"
    assert [e["type"] for e in app.events_since(0, 100)] == [
        "BookingCreated", "BookingOffered", "BookingDeclined", "BookingAccepted", "ServiceProvided",
        "BookingClosed", "ServiceReportCorrected"]
    assert app.health() == {"service": "booking", "ok": True, "last_position": 7, "read_model_position": 7,
                            "parked": 0}


def test_nobody_learns_that_a_booking_they_may_not_see_exists(app):
    bid = create(app)["id"]
    app.execute(COORD, bid, "offer", {"interpreter_ids": [ALICE["user_id"]]})
    assert app.get_booking(ALICE, bid)["id"] == bid
    for actor, booking_id in [(CLARA, bid), (OTHER_REQUESTER, bid), (COORD, "HC-24240999"),
                              (COORD, {"$ne": None}), (COORD, "../etc/passwd")]:
        with pytest.raises(NotFound):
            app.get_booking(actor, booking_id)
        with pytest.raises(NotFound):
            app.execute(actor, booking_id, "cancel", {"reason": "x"})
    app.execute(ALICE, bid, "decline", {})
    with pytest.raises(NotFound):
        app.get_booking(ALICE, bid)
    assert app.get_booking(COORD, bid)["declined_by"] == [ALICE["user_id"]]
    assert "declined_by" not in app.get_booking(REQUESTER, bid)


def test_ten_interpreters_accepting_at_once_leave_exactly_one_booked(app, monkeypatch):
    bid = create(app)["id"]
    contenders = [{"user_id": f"UBIPN{i:04d}", "role": "interpreter"} for i in range(10)]
    app.execute(COORD, bid, "offer", {"interpreter_ids": [c["user_id"] for c in contenders]})
    # Every thread has read the pending booking and decided to accept before any of them appends:
    # the worst interleaving, on every backend.
    all_decided = threading.Barrier(len(contenders), timeout=30)
    first_append, append = threading.local(), app.events.append
    conflicts = []

    def gated_append(*args):
        if not getattr(first_append, "done", False):
            first_append.done = True
            all_decided.wait()
        try:
            return append(*args)
        except ConcurrencyError:
            conflicts.append(1)
            raise

    monkeypatch.setattr(app.events, "append", gated_append)
    outcomes: dict[str, str] = {}

    def accept(actor):
        try:
            outcomes[actor["user_id"]] = app.execute(actor, bid, "accept", {})["status"]
        except IMSError as error:
            outcomes[actor["user_id"]] = error.code

    threads = [threading.Thread(target=accept, args=(c,)) for c in contenders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [uid for uid, outcome in outcomes.items() if outcome == "booked"]
    assert len(winners) == 1, outcomes
    assert sorted(o for o in outcomes.values() if o != "booked") == ["booking.already_taken"] * 9
    assert len(conflicts) == 9      # each loser retried once, saw the booking taken, appended nothing
    assert app.get_booking(COORD, bid)["assigned_interpreter_id"] == winners[0]
    assert [e["type"] for e in app.events_since(0, 100)].count("BookingAccepted") == 1


def test_a_command_gives_up_after_repeated_concurrent_writes(app, monkeypatch):
    bid = create(app)["id"]

    def always_late(stream_id, expected_version, events):
        raise ConcurrencyError(stream_id, expected_version, expected_version + 1)

    monkeypatch.setattr(app.events, "append", always_late)
    with pytest.raises(Conflict) as info:
        app.execute(COORD, bid, "cancel", {"reason": "x"})
    assert info.value.code == "booking.concurrency_conflict"


def test_modify_without_change_appends_nothing(app):
    bid = create(app)["id"]
    assert app.execute(REQUESTER, bid, "modify", {"start_time": FIELDS["start_time"]})["version"] == 1
    assert app.execute(REQUESTER, bid, "modify", {"start_time": "10:00"})["end_at"] == "2024-09-03T16:00:00Z"


def test_a_modified_booking_says_what_changed_until_the_interpreter_confirms(app):
    """What the assigned interpreter must re-confirm, old -> new, over several modifications (a
    value changed back drops out); their accept clears it; a pending booking has nothing to confirm."""
    bid = create(app)["id"]
    app.execute(REQUESTER, bid, "modify", {"duration_minutes": 60})
    assert app.get_booking(REQUESTER, bid)["unconfirmed_changes"] == {}
    app.execute(COORD, bid, "assign", {"interpreter_id": ALICE["user_id"]})
    app.execute(REQUESTER, bid, "modify", {"start_time": "10:00", "facility": "CHUM"})
    app.execute(REQUESTER, bid, "modify", {"start_time": "11:00", "duration_minutes": 90})
    app.execute(REQUESTER, bid, "modify", {"facility": FIELDS["facility"]})
    changes = app.get_booking(ALICE, bid)["unconfirmed_changes"]
    assert {k: changes[k] for k in ("start_time", "duration_minutes")} == {
        "start_time": {"old": "09:30", "new": "11:00"}, "duration_minutes": {"old": 60, "new": 90}}
    assert "facility" not in changes and changes["start_at"]["old"] == "2024-09-03T13:30:00Z"
    assert app.execute(ALICE, bid, "accept", {})["status"] == "booked"
    assert app.get_booking(ALICE, bid)["unconfirmed_changes"] == {}


def test_withdraw_follows_the_clock(app, clock):
    bid = create(app)["id"]
    app.execute(COORD, bid, "assign", {"interpreter_id": ALICE["user_id"]})
    clock.now = START.replace(day=1, hour=13, minute=29)     # 48 h and 1 min before the start
    assert app.execute(ALICE, bid, "withdraw", {"reason": "Malade"})["status"] == "pending"
    app.execute(COORD, bid, "assign", {"interpreter_id": ALICE["user_id"]})
    clock.advance(minutes=2)
    with pytest.raises(Conflict) as info:
        app.execute(ALICE, bid, "withdraw", {})
    assert info.value.code == "booking.withdraw_too_late"


def test_attachment_bytes_go_to_the_blob_store_and_the_event_holds_metadata(app):
    bid = create(app)["id"]
    app.execute(COORD, bid, "assign", {"interpreter_id": ALICE["user_id"]})
    detail = app.execute(ALICE, bid, "attachments", {
        "filename": "recu.jpg", "content_type": "image/jpeg",
        "content_base64": base64.b64encode(JPEG).decode(), "description": "Stationnement"})
    [meta] = detail["attachments"]
    assert meta["size"] == len(JPEG) and meta["added_by"] == ALICE["user_id"]
    event = app.events_since(0, 10)[-1]
    assert event["type"] == "AttachmentAdded" and "content_base64" not in event["data"]["attachment"]
    got_meta, content = app.get_attachment(ALICE, bid, meta["id"])
    assert content == JPEG and got_meta["filename"] == "recu.jpg"
    assert app.get_attachment(COORD, bid, meta["id"])[1] == JPEG
    for actor, attachment_id in [(REQUESTER, meta["id"]), (CLARA, meta["id"]), (COORD, "nope")]:
        with pytest.raises(NotFound):
            app.get_attachment(actor, bid, attachment_id)
    assert "attachments" not in app.get_booking(REQUESTER, bid)


def test_events_since_pages_and_caps_the_limit(app, monkeypatch):
    for _ in range(3):
        create(app)
    assert [e["position"] for e in app.events_since(1, 1)] == [2]
    assert app.events_since(3, 10) == []
    calls = []
    monkeypatch.setattr(app.events, "read_all", lambda after, limit: calls.append(limit) or [])
    app.events_since(0, 50_000)
    assert calls == [1000]
    for bad in [(-1, 10), ("0", 10), (0, True)]:
        with pytest.raises(ValidationFailed):
            app.events_since(*bad)


def test_admin_acts_as_coordinator(app):
    bid = create(app, ADMIN, establishment="HC")["id"]
    assert app.execute(ADMIN, bid, "assign", {"interpreter_id": ALICE["user_id"]})["status"] == "booked"
