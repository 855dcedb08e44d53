"""Lists over the read model: scoping per role, filters, queues, pages, rebuild and idempotency."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ims_common.errors import Forbidden, ValidationFailed
from ims_common.envelope import NewEvent

from .app_fixtures import app, clock, create, stores  # noqa: F401  (pytest fixtures)
from .scenario import ALICE, BRUNO, CLARA, COORD, OTHER_REQUESTER, REQUESTER


def ids(page: dict) -> list[str]:
    return [item["id"] for item in page["items"]]


@pytest.fixture
def week(app):
    """Four bookings: three for HC on Sep 3, 4 and 5 (the 5th at 22:30, i.e. the 6th in UTC), one
    for CHUM on Sep 4; offers to Alice and Bruno; Bruno declined the first."""
    a = create(app, date="2024-09-04")["id"]
    b = create(app, date="2024-09-03")["id"]
    c = create(app, date="2024-09-05", start_time="22:30")["id"]
    d = create(app, COORD, establishment="CHUM", date="2024-09-04", start_time="08:00")["id"]
    app.execute(COORD, b, "offer", {"interpreter_ids": [ALICE["user_id"], BRUNO["user_id"]]})
    app.execute(COORD, a, "offer", {"interpreter_ids": [BRUNO["user_id"]]})
    app.execute(BRUNO, b, "decline", {})
    app.execute(COORD, d, "assign", {"interpreter_id": ALICE["user_id"]})
    return {"a": a, "b": b, "c": c, "d": d}


def test_each_role_sees_its_own_scope_sorted_by_start(app, week):
    assert ids(app.list_bookings(COORD, {})) == [week["b"], week["d"], week["a"], week["c"]]
    assert ids(app.list_bookings(REQUESTER, None)) == [week["b"], week["a"], week["c"]]
    assert ids(app.list_bookings(OTHER_REQUESTER, {})) == [week["d"]]
    assert ids(app.list_bookings(ALICE, {})) == [week["b"], week["d"]]
    assert ids(app.list_bookings(BRUNO, {})) == [week["a"]]          # the declined one is gone
    assert ids(app.list_bookings(CLARA, {})) == []
    assert ids(app.list_bookings({"user_id": "U9", "role": "requester"}, {})) == []


def test_summaries_hold_no_secret(app, week):
    item = app.list_bookings(COORD, {})["items"][0]
    assert item["id"] == week["b"] and item["status"] == "pending" and item["date"] == "2024-09-03"
    assert not {"video_secret", "declined_by", "offered_to", "report", "requester_phone"} & set(item)


def test_dates_are_local_and_inclusive(app, week):
    page = app.list_bookings(COORD, {"date_from": "2024-09-04", "date_to": "2024-09-05"})
    assert ids(page) == [week["d"], week["a"], week["c"]] and page["total"] == 3
    assert ids(app.list_bookings(COORD, {"date_from": "2024-09-06"})) == []


def test_latest_first_on_demand(app, week):
    """order=desc: the latest start first (a list of past bookings opens on the most recent)."""
    assert ids(app.list_bookings(COORD, {"order": "desc"})) == [week["c"], week["a"], week["d"], week["b"]]
    assert ids(app.list_bookings(COORD, {"order": "asc"})) == ids(app.list_bookings(COORD, {}))


def test_status_filters_and_queues(app, week):
    assert ids(app.list_bookings(COORD, {"status": ["booked"]})) == [week["d"]]
    assert ids(app.list_bookings(COORD, {"status": "booked,pending"})) == ids(app.list_bookings(COORD, {}))
    assert ids(app.list_bookings(COORD, {"queue": "to_assign"})) == [week["b"], week["a"], week["c"]]
    assert ids(app.list_bookings(COORD, {"queue": "to_validate"})) == []
    assert app.list_bookings(COORD, {"queue": "to_assign", "status": ["booked"]})["total"] == 0
    with pytest.raises(Forbidden):
        app.list_bookings(REQUESTER, {"queue": "to_assign"})


def test_pages(app, week):
    first = app.list_bookings(COORD, {"per_page": 3})
    second = app.list_bookings(COORD, {"per_page": "3", "page": "2"})
    assert (first["total"], first["page"], first["per_page"]) == (4, 1, 3)
    assert ids(first) + ids(second) == ids(app.list_bookings(COORD, {}))
    assert app.list_bookings(COORD, {"page": 9})["items"] == []


@pytest.mark.parametrize("query, field", [
    ({"page": 0}, "page"), ({"per_page": 201}, "per_page"), ({"per_page": True}, "per_page"),
    ({"status": ["nope"]}, "status"), ({"status": {"$ne": 1}}, "status"), ({"queue": "all"}, "queue"),
    ({"date_from": "2024-13-01"}, "date_from"), ({"date_from": "2024-09-05", "date_to": "2024-09-04"}, "date_to"),
    ({"establishment": "CHUM"}, "establishment"), ({"order": "up"}, "order"), ({"$where": "1"}, "$where"),
])
def test_bad_queries_name_the_parameter(app, query, field):
    with pytest.raises(ValidationFailed) as info:
        app.list_bookings(COORD, query)
    assert field in info.value.fields


def test_rebuild_gives_the_same_read_model(app, stores, week):
    before = app.list_bookings(COORD, {})
    docs = {d["id"]: d for d in stores.doc_store.find("bookings")}
    assert app.rebuild_read_models() == 8
    assert app.list_bookings(COORD, {}) == before
    assert {d["id"]: d for d in stores.doc_store.find("bookings")} == docs


def test_replayed_events_change_nothing_twice(app, stores, week):
    docs = {d["id"]: d for d in stores.doc_store.find("bookings")}
    stores.doc_store.put("checkpoints", "booking_read_model", {"position": 0})
    assert app.catch_up() == 8
    assert {d["id"]: d for d in stores.doc_store.find("bookings")} == docs


def test_a_stream_missing_earlier_events_is_refolded(app, stores, week):
    stores.doc_store.delete("bookings", week["b"])
    stores.doc_store.put("checkpoints", "booking_read_model", {"position": 5})   # skips b's creation
    app.catch_up()
    doc = stores.doc_store.get("bookings", week["b"])
    assert doc["version"] == 3 and doc["visible_to"] == [ALICE["user_id"]]


def test_lists_see_events_appended_by_another_process(app, stores, week):
    stores.event_store.append(f"booking-{week['c']}", 1, [NewEvent(
        "BookingAssigned", {"interpreter_id": CLARA["user_id"]}, actor={"user_id": "cli", "role": "admin"})])
    assert ids(app.list_bookings(CLARA, {})) == [week["c"]]


def test_the_validation_queue_holds_every_paid_case_until_validated(app, clock, week):
    """Reported services and cancelled bookings that pay someone (a report of communications, an
    interpreter held it) wait for the bank's validation; a cancellation that pays no one does not."""
    from datetime import timedelta

    from .scenario import START, not_provided_report, provided_report
    app.execute(REQUESTER, week["b"], "cancel", {"reason": "Personne n'était assigné"})
    app.execute(COORD, week["a"], "assign", {"interpreter_id": BRUNO["user_id"]})
    app.execute(REQUESTER, week["a"], "cancel", {"reason": "Rendez-vous annulé"})
    app.execute(BRUNO, week["a"], "report", not_provided_report())
    clock.now = START + timedelta(days=1, hours=3)           # Sep 4, 12:30: d (08:00) is over
    app.execute(ALICE, week["d"], "report", provided_report(actual_start="2024-09-04T08:00:00-04:00",
                                                             actual_end="2024-09-04T10:00:00-04:00"))
    assert ids(app.list_bookings(COORD, {"queue": "to_validate"})) == [week["d"], week["a"]]
    assert ids(app.list_bookings(COORD, {"queue": "to_validate", "status": "cancelled"})) == [week["a"]]
    app.execute(COORD, week["a"], "close", {"comment": "Communications vérifiées"})
    assert ids(app.list_bookings(COORD, {"queue": "to_validate"})) == [week["d"]]
    assert app.get_booking(COORD, week["a"])["status"] == "cancelled"


def test_one_definition_of_to_assign_in_the_list_and_the_ranked_queue(app, week, clock):
    """Issue 15, item 6: the list's queue and the ranked queue hold the same bookings (pending, start
    still to come); once a start passes unfilled, the booking leaves both for "missed"."""
    def both():
        listed = ids(app.list_bookings(COORD, {"queue": "to_assign", "per_page": 200}))
        ranked = ids(app.to_assign(COORD, {"per_page": 200}))
        assert sorted(listed) == sorted(ranked)
        return sorted(listed)
    assert both() == sorted([week["a"], week["b"], week["c"]])
    clock.now = datetime(2024, 9, 4, 14, 0, tzinfo=timezone.utc)    # b (Sep 3) and a (Sep 4, 10:00) started
    assert both() == [week["c"]]
    assert sorted(ids(app.list_bookings(COORD, {"queue": "missed"}))) == sorted([week["a"], week["b"]])
