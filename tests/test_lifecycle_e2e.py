"""One booking from creation to close over HTTP, as requester, interpreter and coordinator, against
the system started as `make run` starts it; then payroll and notification must each have received
every event of that booking exactly once."""
from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient, hire

pytestmark = pytest.mark.e2e
MONTREAL = ZoneInfo("America/Montreal")
PASSWORD = "Correct-Horse-Battery-9!"


def started_slot() -> tuple[str, str]:
    """Today's date and a start time a few minutes ago (Montreal): the service report opens at start."""
    now = datetime.now(MONTREAL)
    start = max(now.replace(hour=0, minute=0, second=0, microsecond=0),
                (now - timedelta(minutes=5)).replace(second=0, microsecond=0))
    return start.date().isoformat(), start.strftime("%H:%M")


def create_account(coord: ApiClient, role: str, first: str, last: str, **extra) -> dict:
    body = {"email": f"{first.lower()}.{last.lower()}@example.org", "first_name": first,
            "last_name": last, "role": role, **extra}
    return hire(coord, body, PASSWORD)


@pytest.fixture(scope="module")
def people(system):
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)
    requester = create_account(coord, "requester", "Rita", "Demandeuse", establishment="HC")
    interpreters = [create_account(coord, "interpreter", f"Ilya{i}", f"Interprete{i}") for i in range(12)]
    return {
        "coord": coord,
        "requester": ApiClient.login(system.url, requester["email"], PASSWORD),
        "interpreters": [(acc, ApiClient.login(system.url, acc["user_id"], PASSWORD)) for acc in interpreters],
    }


def new_booking(requester: ApiClient, **overrides) -> dict:
    date, start_time = started_slot()
    fields = {"source_language": "Français", "target_language": "Hongrois", "mode": "video",
              "context": "Santé physique", "facility": "Hôpital Maisonneuve-Rosemont",
              "cost_center": "7301120", "cost_center_description": "DA services multidisciplinaires",
              "date": date, "start_time": start_time, "duration_minutes": 120,
              "video_platform": "Teams", "video_link": "https://example.org/meet/abc",
              "requester_name": "Rita Demandeuse", "requester_phone": "514 555-0101",
              "note_to_interpreter": "Rendez-vous de suivi", **overrides}
    return requester.ok(requester.post("/bookings", fields), 201)


def test_booking_lifecycle_from_creation_to_close(system, people):
    coord, requester = people["coord"], people["requester"]
    (alice, alice_api), (bruno, bruno_api) = people["interpreters"][:2]

    booking = new_booking(requester)
    bid = booking["id"]
    assert re.fullmatch(r"HC-\d{8}", bid) and booking["status"] == "pending"
    listed = requester.ok(requester.get("/bookings", params={"status": "pending"}))
    assert bid in [b["id"] for b in listed["items"]]
    assert alice_api.get(f"/bookings/{bid}").status_code == 404  # not offered to her yet

    coord.ok(coord.post(f"/bookings/{bid}/offer", {"interpreter_ids": [alice["user_id"], bruno["user_id"]]}))
    assert bid in [b["id"] for b in alice_api.ok(alice_api.get("/bookings"))["items"]]

    bruno_api.ok(bruno_api.post(f"/bookings/{bid}/decline", {"reason": "Non disponible"}))
    assert bid not in [b["id"] for b in bruno_api.ok(bruno_api.get("/bookings"))["items"]]
    assert bruno_api.get(f"/bookings/{bid}").status_code == 404

    booked = alice_api.ok(alice_api.post(f"/bookings/{bid}/accept"))
    assert booked["status"] == "booked" and booked["assigned_interpreter_id"] == alice["user_id"]
    assert requester.ok(requester.get(f"/bookings/{bid}"))["assigned_interpreter_id"] == alice["user_id"]

    start = datetime.fromisoformat(booked["start_at"].replace("Z", "+00:00"))
    # Reported as it ends (a report may not lie in the future); the planned 2 h are billed anyway.
    report = {"provided": True, "actual_start": start.isoformat(),
              "actual_end": min(start + timedelta(hours=2), datetime.now(timezone.utc)).isoformat(), "wait_minutes": 0,
              "distance_km": "0", "travel_minutes": 0, "communications": [], "words": 0,
              "other_fees_cents": 0, "additional_service": False, "comments": "RAS"}
    provided = alice_api.ok(alice_api.post(f"/bookings/{bid}/report", report))
    assert provided["status"] == "service_provided"

    closed = coord.ok(coord.post(f"/bookings/{bid}/close", {"comment": "Conforme"}))
    assert closed["status"] == "closed"
    # After close only a coordinator's correction changes anything.
    late = alice_api.post(f"/bookings/{bid}/correct-report", dict(report, comments="oups"))
    assert late.status_code == 409, late.text
    assert alice_api.ok(alice_api.get(f"/bookings/{bid}"))["status"] == "closed"

    with ClusterRpcProxy({"AMQP_URI": system.amqp_uri}) as rpc:
        events = [e for e in rpc.booking.events_since(0, 1000) if e["stream_id"] == f"booking-{bid}"]
        assert [e["type"] for e in events] == [
            "BookingCreated", "BookingOffered", "BookingDeclined", "BookingAccepted",
            "ServiceProvided", "BookingClosed"]
        expected = [e["event_id"] for e in events]
        for consumer in (rpc.payroll, rpc.notification):
            wait_until(lambda: len(consumer.received(f"booking-{bid}")) >= len(expected), timeout=20)
            received = [r["event_id"] for r in consumer.received(f"booking-{bid}")]
            assert received == expected  # each once, in order


def test_ten_interpreters_accepting_at_once_leave_exactly_one_booked(system, people):
    coord, requester = people["coord"], people["requester"]
    contenders = people["interpreters"][2:12]
    bid = new_booking(requester)["id"]
    coord.ok(coord.post(f"/bookings/{bid}/offer", {"interpreter_ids": [acc["user_id"] for acc, _ in contenders]}))

    barrier = threading.Barrier(len(contenders))
    statuses: dict[str, int] = {}

    def accept(acc, api):
        barrier.wait()
        statuses[acc["user_id"]] = api.post(f"/bookings/{bid}/accept").status_code

    threads = [threading.Thread(target=accept, args=pair) for pair in contenders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [uid for uid, code in statuses.items() if code == 200]
    assert len(winners) == 1, statuses
    assert sorted(code for code in statuses.values() if code != 200) == [409] * 9
    assert coord.ok(coord.get(f"/bookings/{bid}"))["assigned_interpreter_id"] == winners[0]


def test_an_interpreter_sees_a_booking_only_while_it_is_offered_or_assigned_to_them(system, people):
    """Issue 17: once another interpreter took it, or once they withdrew, a booking is a 404 to an
    interpreter, as a declined one is (no assigned id, context or address); a late accept says only
    that it was taken."""
    coord, requester = people["coord"], people["requester"]
    (alice, alice_api), (bruno, bruno_api), (carl, carl_api) = people["interpreters"][:3]
    day = (datetime.now(MONTREAL) + timedelta(days=6)).date().isoformat()   # far enough to withdraw from
    bid = new_booking(requester, date=day, start_time="10:00")["id"]
    coord.ok(coord.post(f"/bookings/{bid}/offer", {"interpreter_ids": [alice["user_id"], bruno["user_id"],
                                                                      carl["user_id"]]}))
    assert bruno_api.ok(bruno_api.get(f"/bookings/{bid}"))["context"] == "Santé physique"   # offered: seen
    carl_api.ok(carl_api.post(f"/bookings/{bid}/decline", {"reason": "Non disponible"}))
    alice_api.ok(alice_api.post(f"/bookings/{bid}/accept"))

    for api in (bruno_api, carl_api):
        resp = api.get(f"/bookings/{bid}")
        assert resp.status_code == 404, resp.text
        assert alice["user_id"] not in resp.text and "Santé" not in resp.text
        assert bid not in [b["id"] for b in api.ok(api.get("/bookings"))["items"]]
    late = bruno_api.post(f"/bookings/{bid}/accept")
    assert late.status_code == 409 and late.json()["error"]["code"] == "booking.already_taken", late.text
    assert alice["user_id"] not in late.text

    assert alice_api.ok(alice_api.get(f"/bookings/{bid}"))["assigned_interpreter_id"] == alice["user_id"]
    alice_api.ok(alice_api.post(f"/bookings/{bid}/withdraw", {"reason": "Empêchement"}))
    assert alice_api.get(f"/bookings/{bid}").status_code == 404                 # withdrawn from it: gone
    assert bid not in [b["id"] for b in alice_api.ok(alice_api.get("/bookings"))["items"]]
    assert coord.ok(coord.get(f"/bookings/{bid}"))["status"] == "pending"


@pytest.mark.parametrize("body, field", [
    ({"source_language": {"$ne": ""}}, "source_language"),
    ({"duration_minutes": "deux heures"}, "duration_minutes"),
    ({"comments": "x" * 100_000}, "comments"),
    ({"unexpected": 1}, "unexpected"),
])
def test_bad_booking_input_is_a_4xx_naming_the_field_in_french(system, people, body, field):
    requester = people["requester"]
    date, start_time = started_slot()
    fields = {"source_language": "Français", "target_language": "Hongrois", "mode": "phone",
              "date": date, "start_time": start_time, "duration_minutes": 60, **body}
    resp = requester.post("/bookings", fields)
    assert resp.status_code == 400, resp.text
    error = resp.json()["error"]
    assert field in error["fields"] and error["message"]


def test_health_reports_every_service_reachable(system):
    import requests
    body = requests.get(system.url + "/healthz", timeout=10).json()
    assert {name for name, s in body["services"].items() if s["reachable"]} == {
        "auth", "booking", "payroll", "notification", "reference", "webhooks"}
