"""Matching endpoints over the fake services: roles, translated reasons, the offer's two forms."""
from __future__ import annotations

from gateway.tests.conftest import bearer, make_token

CANDIDATES = {
    "booking_id": "HC-24240001", "status": "pending",
    "candidates": [{"interpreter_id": "UBIPN0001", "name": "A B", "score": 90.0, "tier": 1, "distance_km": 2.5,
                    "offered": False, "reasons": [{"code": "matching.ok.distance", "params": {"km": 2.5}}]}],
    "excluded": [{"interpreter_id": "UBIPN0002", "name": "C D", "reasons": [
        {"code": "matching.overlapping_booking",
         "params": {"booking_id": "HC-24240009", "start_at": "2024-09-03T14:00:00Z", "margin_minutes": 60}}]}],
    "policy": {"tier_size": 5},
}


def _coord(lang=None):
    return bearer(make_token("UBICO0001", "coordinator", lang=lang))


def test_candidates_for_coordinators_with_reasons_in_their_language(client, fake):
    fake.booking__candidates = lambda actor, booking_id: dict(CANDIDATES, booking_id=booking_id)
    resp = client.get("/api/v1/bookings/HC-24240001/candidates", headers=_coord("en"))
    assert resp.status_code == 200, resp.json
    [why] = resp.json["excluded"][0]["reasons"]
    assert why["code"] == "matching.overlapping_booking" and "HC-24240009" in why["message"]
    assert why["message"].startswith("Already booked")
    fr = client.get("/api/v1/bookings/HC-24240001/candidates", headers=_coord("fr")).json
    assert fr["candidates"][0]["reasons"][0]["message"] == "À 2,5 km."
    assert fake.last_call("candidates")[2][0]["role"] == "coordinator"


def test_candidates_and_queue_are_refused_to_others(client, fake):
    fake.booking__candidates = lambda actor, booking_id: CANDIDATES
    for role in ("interpreter", "requester"):
        headers = bearer(make_token("UX0001", role, est="HC" if role == "requester" else None))
        assert client.get("/api/v1/bookings/HC-24240001/candidates", headers=headers).status_code == 403
        assert client.get("/api/v1/queues/to-assign", headers=headers).status_code == 403


def test_queue_passes_paging(client, fake):
    fake.booking__to_assign = lambda actor, query: {"items": [], "total": 0, **query}
    resp = client.get("/api/v1/queues/to-assign?per_page=10", headers=_coord())
    assert resp.status_code == 200 and resp.json["per_page"] == 10 and resp.json["page"] == 1
    assert client.get("/api/v1/queues/to-assign?per_page=0", headers=_coord()).status_code == 400


def test_offer_to_all_qualified_or_to_chosen_interpreters(client, fake):
    payloads = []
    fake.booking__execute = lambda actor, bid, command, payload: payloads.append((command, payload)) or {"id": bid}
    url = "/api/v1/bookings/HC-24240001/offer"
    assert client.post(url, json={"all_qualified": True}, headers=_coord()).status_code == 200
    assert client.post(url, json={"interpreter_ids": ["UBIPN0001"]}, headers=_coord()).status_code == 200
    assert payloads == [("offer", {"all_qualified": True}), ("offer", {"interpreter_ids": ["UBIPN0001"]})]
    for body in ({}, {"all_qualified": False}, {"all_qualified": True, "interpreter_ids": ["UBIPN0001"]},
                 {"all_qualified": "yes"}):
        assert client.post(url, json=body, headers=_coord()).status_code == 400, body
