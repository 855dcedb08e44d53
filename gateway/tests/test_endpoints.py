"""What each endpoint hands the services and gives back, on good input (over the in-memory fake)."""
from __future__ import annotations

import base64

RECEIPT = b"\x89PNG\r\n\x1a\n" + b"pixels" * 100


def test_create_booking_is_201_with_location_and_forwards_validated_fields(client, people, fake, booking_fields):
    resp = client.post("/api/v1/bookings", json=booking_fields, headers=people.headers("requester"))
    assert resp.status_code == 201
    body = resp.get_json()
    assert resp.headers["Location"] == f"/api/v1/bookings/{body['id']}"
    service, method, (actor, fields), _ = fake.last_call("create_booking")
    assert (service, actor["user_id"], actor["role"], actor["establishment"]) == ("booking", "UBIRQ0001", "requester", "HC")
    assert fields == booking_fields
    assert resp.headers["Content-Type"] == "application/json"


def test_due_date_booking_needs_no_time(client, people):
    fields = {"source_language": "Français", "target_language": "Farsi", "mode": "document_translation",
              "due_date": "2025-09-15", "establishment": "CHUM"}
    assert client.post("/api/v1/bookings", json=fields, headers=people.headers("coordinator")).status_code == 201


def test_list_bookings_passes_the_query_with_statuses_repeated_or_comma_separated(client, people, fake, booking):
    resp = client.get("/api/v1/bookings?status=pending,booked&status=closed&date_from=2025-09-01&per_page=10",
                      headers=people.headers("requester"))
    assert resp.status_code == 200
    assert [b["id"] for b in resp.get_json()["items"]] == [booking["id"]]
    assert fake.last_call("list_bookings")[2][1] == {"status": ["pending", "booked", "closed"],
                                                     "date_from": "2025-09-01", "page": 1, "per_page": 10}


def test_coordinator_queue(client, people, fake, booking):
    resp = client.get("/api/v1/bookings?queue=to_assign", headers=people.headers("coordinator"))
    assert resp.status_code == 200
    assert fake.last_call("list_bookings")[2][1] == {"queue": "to_assign", "page": 1, "per_page": 50}


def test_a_booking_through_its_lifecycle(client, people, fake, booking):
    bid = booking["id"]
    coord, alice, bruno = people.headers("coordinator"), people.headers("interpreter"), people.headers("interpreter2")
    url = f"/api/v1/bookings/{bid}"

    def ok(resp, status=200):
        assert resp.status_code == status, resp.get_data(as_text=True)
        return resp.get_json()

    assert client.get(url, headers=alice).status_code == 404
    ok(client.post(url + "/offer", json={"interpreter_ids": ["UBIPN0002", "UBIPN0003"]}, headers=coord))
    ok(client.post(url + "/decline", json={"reason": "Non disponible"}, headers=bruno))
    assert client.get(url, headers=bruno).status_code == 404
    booked = ok(client.post(url + "/accept", headers=alice))  # no body at all is an empty command
    assert booked["status"] == "booked" and booked["assigned_interpreter_id"] == "UBIPN0002"
    assert fake.last_call("execute")[2][1:] == (bid, "accept", {})

    modified = ok(client.post(url + "/modify", json={"note_to_interpreter": "Salle 204", "video_secret": None},
                              headers=people.headers("requester")))
    assert modified["status"] == "modified"
    ok(client.post(url + "/accept", json={}, headers=alice))

    report = {"provided": True, "actual_start": "2025-09-01T09:00:00-04:00", "actual_end": "2025-09-01T11:30:00-04:00",
              "overtime_reason": "Rendez-vous prolongé", "distance_km": "12,5", "communications": [
                  {"at": "2025-08-31T15:00:00Z", "purpose": "Confirmation", "requested_by": "Dre Tremblay"}]}
    assert ok(client.post(url + "/report", json=report, headers=alice))["status"] == "service_provided"
    assert fake.last_call("execute")[2][3] == report

    upload = {"filename": "stationnement.png", "content_type": "image/png",
              "content_base64": base64.b64encode(RECEIPT).decode(), "description": "Stationnement"}
    attached = ok(client.post(url + "/attachments", json=upload, headers=alice))
    attachment = attached["attachments"][0]
    download = client.get(f"{url}/attachments/{attachment['id']}", headers=coord)
    assert download.status_code == 200 and download.data == RECEIPT
    assert download.mimetype == "image/png"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "stationnement.png" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "no-store"

    ok(client.post(url + "/correct-report", json={**report, "words": 10}, headers=alice))
    assert ok(client.post(url + "/close", json={"comment": "Conforme"}, headers=coord))["status"] == "closed"


def test_withdraw_with_communications_and_cancel(client, people, booking):
    url = f"/api/v1/bookings/{booking['id']}"
    coord = people.headers("coordinator")
    client.post(url + "/assign", json={"interpreter_id": "UBIPN0002"}, headers=coord)
    resp = client.post(url + "/withdraw", json={"reason": "Malade", "communications": [
        {"at": "2025-08-31T15:00:00+00:00", "purpose": "Appel au demandeur"}]}, headers=people.headers("interpreter"))
    assert resp.status_code == 200 and resp.get_json()["status"] == "pending"
    resp = client.post(url + "/cancel", json={"reason": "Usager absent", "cancelled_at": "2025-08-31T12:00:00Z"},
                       headers=coord)
    assert resp.status_code == 200 and resp.get_json()["status"] == "cancelled"
    not_provided = {"provided": False, "reason": "Annulation tardive", "cancelled_at": "2025-08-31T12:00:00Z",
                    "communications": [{"at": "2025-08-31T11:00:00Z", "purpose": "Rappel"}]}
    resp = client.post(url + "/report", json=not_provided, headers=people.headers("interpreter"))
    assert resp.status_code in (200, 404)  # the fake's visibility rules are simpler than the service's


def test_conflict_from_a_late_accept_is_409(client, people, booking):
    url = f"/api/v1/bookings/{booking['id']}"
    client.post(url + "/offer", json={"interpreter_ids": ["UBIPN0002", "UBIPN0003"]}, headers=people.headers("coordinator"))
    assert client.post(url + "/accept", headers=people.headers("interpreter")).status_code == 200
    late = client.post(url + "/accept", headers=people.headers("interpreter2", "en"))
    assert late.status_code == 409
    assert late.get_json()["error"]["message"] == "This booking has already been accepted by another interpreter."


def test_accounts(client, people, fake):
    coord = people.headers("coordinator")
    new = {"email": "nour.haddad@example.org", "first_name": "Nour", "last_name": "Haddad", "role": "requester",
           "establishment": "HC", "display_language": "en", "password": "Tres-Solide-Mot-2025!"}
    resp = client.post("/api/v1/accounts", json=new, headers=coord)
    assert resp.status_code == 201
    user_id = resp.get_json()["user_id"]
    assert resp.headers["Location"] == f"/api/v1/accounts/{user_id}"
    assert fake.last_call("create_account")[2][1] == new
    assert client.post("/api/v1/accounts", json=new, headers=coord).status_code == 409
    listed = client.get("/api/v1/accounts?role=requester&per_page=5", headers=coord).get_json()
    assert fake.last_call("list_accounts")[2][1] == {"role": "requester", "page": 1, "per_page": 5}
    assert user_id in [a["user_id"] for a in listed["items"]]
    assert client.get(f"/api/v1/accounts/{user_id}", headers=coord).get_json()["email"] == new["email"]
    assert client.get("/api/v1/accounts/UBICO0001", headers=people.headers("interpreter")).status_code == 404
    me = client.get("/api/v1/me", headers=people.headers("interpreter")).get_json()
    assert me["user_id"] == "UBIPN0002"


def test_non_ascii_is_sent_as_utf8(client, people, booking):
    resp = client.get(f"/api/v1/bookings/{booking['id']}", headers=people.headers("requester"))
    assert "Français".encode() in resp.data
