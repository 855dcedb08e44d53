"""The bulk rebuild of the booking read model gives exactly what the incremental read model built,
command after command, on a history holding every event type; a poison event is counted, retried
and parked as a catch-up does."""
from __future__ import annotations

import base64

import pytest

from ims_common.envelope import NewEvent
from ims_common.projection import CHECKPOINTS, MAX_ATTEMPTS
from services.booking.domain import events as ev
from services.booking.domain.access import SYSTEM_ACTOR
from services.booking.app.read_model import BOOKINGS, PROJECTOR

from .app_fixtures import app, clock, create, stores  # noqa: F401  (pytest fixtures)
from .scenario import ALICE, BRUNO, CLARA, COORD, REQUESTER, not_provided_report, provided_report

PDF = b"%PDF-1.4\n% receipt\n%%EOF\n"


@pytest.fixture
def history(app, clock, stores):
    """Bookings through the application (its read model follows each command), every event type."""
    one = create(app)["id"]
    two = create(app, date="2024-09-04")["id"]
    three = create(app, date="2024-09-05", start_time="14:00")["id"]
    create(app, COORD, establishment="CHUM", date="2024-09-06")
    stores.event_store.append("other-stream", 0, [NewEvent("SomethingElse", {"n": 1})])  # not a booking

    app.execute(COORD, one, "offer", {"interpreter_ids": [ALICE["user_id"], BRUNO["user_id"], CLARA["user_id"]]})
    app.execute(BRUNO, one, "decline", {"reason": "Indisponible"})
    app.execute(ALICE, one, "accept", {})                      # + OffersWithdrawn (Clara)
    app.execute(REQUESTER, one, "modify", {"duration_minutes": 90})
    app.execute(ALICE, one, "accept", {})                      # confirms the change

    app.execute(COORD, two, "offer", {"interpreter_ids": [CLARA["user_id"]]})
    app.execute(SYSTEM_ACTOR, two, "flag-unfilled", {"hours_before": 48})
    app.execute(COORD, two, "assign", {"interpreter_id": BRUNO["user_id"]})
    app.execute(COORD, two, "withdraw", {"reason": "Conflit"})
    app.execute(COORD, two, "offer", {"interpreter_ids": [ALICE["user_id"]]})
    app.execute(ALICE, two, "accept", {})
    app.execute(REQUESTER, two, "cancel", {"reason": "Rendez-vous annulé"})

    app.execute(REQUESTER, three, "modify", {"comments": "Entrée B"})
    app.execute(REQUESTER, three, "cancel", {"reason": "Plus nécessaire"})

    clock.advance(days=10)                                     # after the appointments
    app.execute(ALICE, one, "report", provided_report(actual_end="2024-09-03T11:00:00-04:00"))
    app.execute(COORD, one, "return-report", {"comment": "Joindre le reçu de stationnement"})
    app.execute(ALICE, one, "attachments", {"filename": "recu.pdf", "content_type": "application/pdf",
                                            "content_base64": base64.b64encode(PDF).decode()})
    app.execute(COORD, one, "correct-report", provided_report(actual_end="2024-09-03T11:00:00-04:00",
                                                              wait_minutes=15))
    app.execute(COORD, one, "close", {"comment": "Conforme"})
    app.execute(ALICE, two, "report", not_provided_report(cancelled_at="2024-09-03T16:00:00-04:00"))
    assert {e.type for e in stores.event_store.read_all(0, 1000)} == set(ev.TYPES) | {"SomethingElse"}
    return stores


def read_model(stores) -> dict:
    return {d["id"]: d for d in stores.doc_store.find(BOOKINGS)}


@pytest.mark.parametrize("page_size, batch", [(5000, 100_000), (1, 1), (3, 7), (4, 1000)])
def test_the_rebuild_is_the_incremental_read_model(app, history, page_size, batch):
    incremental = read_model(history)
    assert len(incremental) == 4
    last = history.event_store.last_position()
    assert app.read_model.rebuild(page_size=page_size, batch=batch) == last
    assert read_model(history) == incremental
    assert app.read_model.checkpoint() == last
    assert app.catch_up() == 0


def test_a_rebuild_after_a_crash_part_way_resumes_with_the_same_result(app, history):
    incremental = read_model(history)
    history.doc_store.drop(BOOKINGS)
    history.doc_store.put(CHECKPOINTS, PROJECTOR, {"position": 0})
    app.read_model.rebuild(page_size=2, batch=2)
    assert read_model(history) == incremental


def test_a_poison_event_is_retried_then_parked_as_by_a_catch_up(app, history, stores):
    incremental = read_model(stores)
    fourth = next(key for key, doc in incremental.items() if doc["establishment"] == "CHUM")
    stores.event_store.append("booking-HC-24240999", 0, [NewEvent(ev.ACCEPTED, {"interpreter_id": "X"})])
    with pytest.raises(ValueError):   # appended, then the catch-up fails on the poison (attempt 1)
        app.execute(COORD, fourth, "offer", {"interpreter_ids": [ALICE["user_id"]]})
    failures = 0
    for _ in range(MAX_ATTEMPTS):
        try:
            app.read_model.rebuild(page_size=3, batch=5)
            break
        except ValueError:            # "BookingAccepted before BookingCreated", counted each time
            failures += 1
    assert failures == MAX_ATTEMPTS - 2   # parked at the fifth attempt, then the replay went on
    [parked] = app.read_model._projector.parked()
    assert parked["stream_id"] == "booking-HC-24240999"
    rebuilt = read_model(stores)
    assert rebuilt[fourth]["offered_to"] == [ALICE["user_id"]] and rebuilt[fourth]["version"] == 2
    assert {k: d for k, d in rebuilt.items() if k != fourth} == {k: d for k, d in incremental.items()
                                                                  if k != fourth}
    assert app.read_model.checkpoint() == stores.event_store.last_position() and app.catch_up() == 0
