"""A call RabbitMQ delivers twice (its ack lost in a broker restart) carries the same call id, which the
gateway gives each RPC call: the second delivery changes nothing and answers like the first, where a
new call (another id) still gets the rules' answer."""
from __future__ import annotations

import pytest

from ims_common.errors import Conflict

from .app_fixtures import app, clock, create, stores  # noqa: F401  (pytest fixtures)
from .scenario import ALICE, COORD, FIELDS, REQUESTER


def _call(actor: dict, call_id: str) -> dict:
    return dict(actor, call_id=call_id)


def test_a_redelivered_accept_is_applied_once_and_answers_as_the_first(app):
    bid = create(app)["id"]
    app.execute(COORD, bid, "offer", {"interpreter_ids": [ALICE["user_id"]]})
    first = app.execute(_call(ALICE, "c-accept"), bid, "accept", {})
    events = len(app.events.load_stream(f"booking-{bid}"))
    again = app.execute(_call(ALICE, "c-accept"), bid, "accept", {})
    assert again["status"] == first["status"] == "booked" and again["version"] == first["version"]
    assert len(app.events.load_stream(f"booking-{bid}")) == events
    with pytest.raises(Conflict):       # a new accept is a new call: the rules answer
        app.execute(_call(ALICE, "c-other"), bid, "accept", {})


def test_a_redelivered_creation_creates_one_booking(app):
    first = app.create_booking(_call(REQUESTER, "c-create"), dict(FIELDS))
    again = app.create_booking(_call(REQUESTER, "c-create"), dict(FIELDS))
    other = app.create_booking(_call(REQUESTER, "c-create-2"), dict(FIELDS))
    assert again["id"] == first["id"] and other["id"] != first["id"]
    assert app.list_bookings(REQUESTER, {})["total"] == 2


def test_events_record_the_call_as_their_cause(app):
    bid = app.create_booking(_call(REQUESTER, "c-1"), dict(FIELDS))["id"]
    app.execute(_call(COORD, "c-2"), bid, "offer", {"interpreter_ids": [ALICE["user_id"]]})
    assert [e.causation_id for e in app.events.load_stream(f"booking-{bid}")] == ["c-1", "c-2"]
