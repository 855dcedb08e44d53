"""The profile endpoints through the Flask test client, backed by the real auth use cases (built by
services/auth/bootstrap.py on mongomock) behind the fake RPC: round trip, 403/404, files, list, operator objects."""
from __future__ import annotations

import base64
import uuid

import pytest
from argon2 import PasswordHasher as Argon2

from gateway.tests.conftest import bearer, make_token
from ims_common.stores import open_blob_store, open_document_store, open_event_store
from services.auth import bootstrap
from services.auth.adapters.passwords import PasswordHasher

PDF = b"%PDF-1.4 profile"
COORD = {"user_id": "UBICB0001", "role": "coordinator", "name": "Coordination BI"}


class Backed:
    """Accounts made by the real auth use cases; the fake RPC's auth profile methods call them."""

    def __init__(self, fake):
        url = f"mongomock://ims_auth_{uuid.uuid4().hex}"
        self.auth = bootstrap.build(open_event_store(url), open_document_store(url), open_blob_store(url),
                                    hasher=PasswordHasher(Argon2(time_cost=1, memory_cost=1024, parallelism=1)))
        p, files = self.auth.profiles, self.auth.files
        fake.auth__get_profile = p.get_profile
        fake.auth__update_profile = p.update_profile
        fake.auth__list_profiles = p.list_profiles
        fake.auth__add_profile_file = files.add_file
        fake.auth__delete_profile_file = files.delete_file
        self.passwords: dict[str, str] = {}
        fake.auth__get_profile_file = lambda a, u, f: (lambda m, c: {"meta": m, "content_base64":
                                                                     base64.b64encode(c).decode()})(*files.get_file(a, u, f))
        self.interpreter = self.make("interpreter", "ana@example.org")
        self.interpreter2 = self.make("interpreter", "bob@example.org")
        self.requester = self.make("requester", "req@example.org", establishment="HC")
        self.coordinator = self.make("coordinator", "coord@example.org")

    def make(self, role, email, **extra):
        made = self.auth.accounts.create_account_as_operator({"email": email, "first_name": "Ana", "last_name": "Nomme",
                                                              "role": role, **extra})
        self.passwords[made["user_id"]] = made["temporary_password"]
        return made["user_id"]

    def headers(self, who):
        uid = getattr(self, who)
        role = "interpreter" if who.startswith("interpreter") else who
        return bearer(make_token(uid, role, "HC" if role == "requester" else None))


@pytest.fixture
def backed(fake):
    return Backed(fake)


FULL = {
    "email": "ana.n@example.org", "mobile": "581 990 9582", "phone": "1 (581) 990 9582", "display_language": "en",
    "gender": "female", "region": "08-Abitibi-Témiscamingue", "address": "1001 3e Avenue E", "postal_code": "J9P 0J7",
    "country": "Canada", "work_region_postal_code": "J9P 0J7", "home_coordinates": {"lat": 48.1, "lon": -77.8},
    "request_types": ["in_person", "phone", "video", "message_transmission", "professional_service",
                      "document_translation"],
    "notifications": {"sms_disabled": True, "email_disabled": True},
    "availability": {"always": False, "slots": [{"weekday": 4, "start": "09:00", "end": "12:00"}]},
    "inactivity_periods": [{"id": "vac1", "start": "2024-10-28T15:07:00Z", "end": "2024-10-31T20:07:00Z",
                            "reason": "Vacances"}],
    "eligibility_documents": [{"id": "permis", "name": "Permis de travail / d'étude", "description": None,
                               "expires_on": "2030-03-30", "inactive_if_invalid": False, "comments": None}],
}
COORD_ONLY = {
    "language_pairs": [{"source": "Français", "target": "Hongrois", "country": "Hongrie"}],
    "contexts": ["DPJ"],
    "financial": {"legal_name": "Nomme Ana", "supplier_number": "UBIPN001", "gst_registered": False,
                  "gst_number": None, "gst_from": None, "gst_to": None, "qst_registered": True,
                  "qst_number": "1234567890TQ0001", "qst_from": "2024-01-01", "qst_to": None},
    "establishment_blocks": [{"establishment": "HC", "reason": "Test"}],
}


def test_every_field_round_trips_through_the_api(client, backed):
    uid = backed.interpreter
    # Her own email and phones: with her password (issue 17's step-up).
    resp = client.patch(f"/api/v1/profiles/{uid}", json=dict(FULL, current_password=backed.passwords[uid]),
                        headers=backed.headers("interpreter"))
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["warnings"] == ["profile.notifications_all_disabled"]
    resp = client.patch(f"/api/v1/profiles/{uid}", json=COORD_ONLY, headers=backed.headers("coordinator"))
    assert resp.status_code == 200, resp.get_json()
    mine = client.get("/api/v1/me/profile", headers=backed.headers("interpreter")).get_json()
    for key, value in {**FULL, **COORD_ONLY}.items():
        expected = "+15819909582" if key == "mobile" else value
        assert mine[key] == expected, key
    assert mine["updated_by"]["user_id"] == backed.coordinator and mine["updated_at"]


def test_requester_profile(client, backed):
    body = {"facility": "Hôpital de Verdun", "phone": "514 555-0199",
            "cost_centers": [{"code": "7110", "description": "Urgence"}]}
    refused = client.patch("/api/v1/me/profile", json=body, headers=backed.headers("requester"))
    assert refused.status_code == 422 and "current_password" in refused.get_json()["error"]["fields"]
    body["current_password"] = backed.passwords[backed.requester]     # a new phone: with the password
    resp = client.patch("/api/v1/me/profile", json=body, headers=backed.headers("requester"))
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["cost_centers"] == body["cost_centers"] and resp.get_json()["establishment"] == "HC"


@pytest.mark.parametrize("field", sorted(COORD_ONLY))
def test_coordinator_only_fields_are_403_for_the_interpreter(client, backed, field):
    resp = client.patch(f"/api/v1/profiles/{backed.interpreter}", json={field: COORD_ONLY[field]},
                        headers=backed.headers("interpreter"))
    assert resp.status_code == 403, resp.get_json()
    assert resp.get_json()["error"]["code"] == "profile.field_forbidden"
    assert field in resp.get_json()["error"]["fields"]


def test_another_interpreters_profile_is_404(client, backed):
    other = backed.interpreter2
    h = backed.headers("interpreter")
    assert client.get(f"/api/v1/profiles/{other}", headers=h).status_code == 404
    assert client.patch(f"/api/v1/profiles/{other}", json={"phone": "514 555 0000"}, headers=h).status_code == 404
    assert client.get(f"/api/v1/profiles/{other}/files/abc", headers=h).status_code == 404
    assert client.get("/api/v1/profiles", headers=h).status_code == 403
    assert client.get(f"/api/v1/profiles/{other}", headers=backed.headers("coordinator")).status_code == 200


def test_files_upload_and_download(client, backed):
    uid = backed.interpreter
    body = {"filename": "cheque.pdf", "content_type": "application/pdf",
            "content_base64": base64.b64encode(PDF).decode(), "description": "Spécimen de chèque"}
    resp = client.post(f"/api/v1/profiles/{uid}/files", json=body, headers=backed.headers("interpreter"))
    assert resp.status_code == 201, resp.get_json()
    file_id = resp.get_json()["files"][0]["id"]
    assert resp.headers["Location"].endswith(f"/profiles/{uid}/files/{file_id}")
    got = client.get(f"/api/v1/profiles/{uid}/files/{file_id}", headers=backed.headers("coordinator"))
    assert got.status_code == 200 and got.data == PDF and got.mimetype == "application/pdf"
    # A type or encoding the document refuses is 400; content of another type than declared (its first
    # bytes, which the document cannot state) is 422.
    for bad, status in (({**body, "content_type": "image/png"}, 422), ({**body, "content_type": "text/html"}, 400),
                        ({**body, "content_base64": "***"}, 400)):
        assert client.post(f"/api/v1/profiles/{uid}/files", json=bad,
                           headers=backed.headers("interpreter")).status_code == status
    other = client.post(f"/api/v1/profiles/{backed.interpreter2}/files", json=body,
                        headers=backed.headers("interpreter"))
    assert other.status_code == 404
    gone = client.delete(f"/api/v1/profiles/{uid}/files/{file_id}", headers=backed.headers("interpreter"))
    assert gone.status_code == 200 and gone.get_json()["files"] == []


def test_coordinators_list(client, backed):
    client.patch(f"/api/v1/profiles/{backed.interpreter}", headers=backed.headers("coordinator"),
                 json={"language_pairs": [{"source": "Français", "target": "Arménien"}],
                       "eligibility_documents": [{"name": "Permis", "expires_on": "2000-01-01"}]})
    resp = client.get("/api/v1/profiles?role=interpreter&language=Arménien&document_expiring_within_days=30",
                      headers=backed.headers("coordinator"))
    assert resp.status_code == 200, resp.get_json()
    assert [p["user_id"] for p in resp.get_json()["items"]] == [backed.interpreter]
    assert client.get("/api/v1/profiles?document_expiring_within_days=x",
                      headers=backed.headers("coordinator")).status_code == 400
    assert client.get("/api/v1/profiles?color=red", headers=backed.headers("coordinator")).status_code == 400


OPERATOR = {"$gt": ""}
PATCH_FIELDS = ["first_name", "last_name", "email", "mobile", "phone", "display_language", "gender", "region",
                "address", "postal_code", "country", "work_region_postal_code", "home_coordinates", "request_types",
                "language_pairs", "contexts", "notifications", "availability", "eligibility_documents", "financial",
                "inactivity_periods", "establishment_blocks", "establishment", "facility", "cost_centers"]
NESTED = {"home_coordinates": {"lat": OPERATOR, "lon": 1}, "notifications": {"sms_disabled": OPERATOR},
          "availability": {"slots": [{"weekday": OPERATOR, "start": "08:00", "end": "09:00"}]},
          "financial": {"gst_number": OPERATOR}, "language_pairs": [{"source": OPERATOR, "target": "x"}],
          "eligibility_documents": [{"name": OPERATOR}], "inactivity_periods": [{"start": OPERATOR, "end": OPERATOR}],
          "establishment_blocks": [{"establishment": OPERATOR}], "cost_centers": [{"code": OPERATOR}],
          "contexts": [OPERATOR], "request_types": [OPERATOR]}


@pytest.mark.parametrize("field", PATCH_FIELDS)
def test_an_operator_object_in_any_field_is_a_400(client, backed, field, fake):
    for body in ({field: OPERATOR}, {field: NESTED.get(field, [OPERATOR])}, {field: {"$ne": None}}):
        before = len(fake.calls)
        resp = client.patch(f"/api/v1/profiles/{backed.interpreter}", json=body, headers=backed.headers("coordinator"))
        assert resp.status_code == 400, (body, resp.get_json())
        assert len(fake.calls) == before   # refused at the gateway: never reaches the service
    for name in ("filename", "content_type", "content_base64", "description"):
        resp = client.post(f"/api/v1/profiles/{backed.interpreter}/files", headers=backed.headers("coordinator"),
                           json={"filename": "a.pdf", "content_type": "application/pdf",
                                 "content_base64": base64.b64encode(PDF).decode(), name: OPERATOR})
        assert resp.status_code == 400
    assert client.patch(f"/api/v1/profiles/{backed.interpreter}", json={"$gt": ""},
                        headers=backed.headers("coordinator")).status_code == 400


def test_service_refusals_keep_their_status(client, backed):
    # A postal code is Canadian or not by the country beside it: a rule beyond the document (422).
    resp = client.patch("/api/v1/me/profile", json={"postal_code": "12345", "country": "Canada"},
                        headers=backed.headers("interpreter"))
    assert resp.status_code == 422 and "postal_code" in resp.get_json()["error"]["fields"]
