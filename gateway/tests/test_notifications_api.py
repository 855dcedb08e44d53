"""The delivery log through the gateway: coordinators only; the query reaches the notification service."""
from __future__ import annotations

import pytest

from gateway.tests.conftest import People

ROW = {"id": "e1|UBIPN0002|sms", "event_id": "e1", "kind": "booking_offered", "booking_id": "HC-25244001",
       "recipient": {"user_id": "UBIPN0002", "address": "+15145550002", "name": "Pepe"}, "channel": "sms",
       "lang": "fr", "subject": None, "status": "failed", "attempts": 5, "attempt_times": [],
       "next_attempt_at": "2025-09-01T16:00:00Z", "sent_at": None, "error": "sms: HTTP 500",
       "created_at": "2025-09-01T16:00:00Z"}


@pytest.fixture
def log(fake):
    queries = []

    def deliveries(query):
        queries.append(query)
        return [ROW]

    fake.notification__deliveries = deliveries
    return queries


def test_coordinators_read_a_bookings_deliveries(client, people: People, log):
    resp = client.get("/api/v1/bookings/HC-25244001/deliveries", headers=people.headers("coordinator"))
    assert resp.status_code == 200 and resp.get_json() == {"items": [ROW]}
    assert log == [{"booking_id": "HC-25244001"}]


def test_coordinators_list_failed_deliveries(client, people: People, log):
    resp = client.get("/api/v1/notifications/deliveries?status=failed", headers=people.headers("admin"))
    assert resp.status_code == 200 and resp.get_json()["items"][0]["status"] == "failed"
    assert log == [{"status": "failed", "limit": 500}]
    assert client.get("/api/v1/notifications/deliveries?status=lost",
                      headers=people.headers("coordinator")).status_code == 400


@pytest.mark.parametrize("who", ["interpreter", "requester"])
def test_others_may_not_read_the_log(client, people: People, log, who):
    assert client.get("/api/v1/bookings/HC-25244001/deliveries", headers=people.headers(who)).status_code == 403
    assert client.get("/api/v1/notifications/deliveries", headers=people.headers(who)).status_code == 403
    assert log == []
