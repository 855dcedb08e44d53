"""Every endpoint answers malformed input with a 4xx naming the field, in French by default and in
English with Accept-Language: en; nothing malformed reaches a service."""
from __future__ import annotations

import base64

import pytest

BID = "HC-25240001"
PDF = base64.b64encode(b"%PDF-1.4\n%receipt\n").decode()
REPORT = {"provided": True, "actual_start": "2025-09-01T09:00:00-04:00", "actual_end": "2025-09-01T11:00:00-04:00",
          "wait_minutes": 0, "distance_km": "12.5", "travel_minutes": 0, "communications": [], "words": 0,
          "other_fees_cents": 0, "additional_service": False, "comments": "RAS"}


class E:
    """An endpoint with a JSON body: who may call it, a valid body, and fields to break."""

    def __init__(self, path, role, body, text=None, required=None, integer=None):
        self.path, self.role, self.body = "/api/v1" + path, role, body
        self.text, self.required, self.integer = text, required, integer

    def __repr__(self):
        return self.path


BODY_ENDPOINTS = [
    E("/auth/login", None, {"identifier": "UBIPN0002", "password": "x"}, "identifier", "password"),
    E("/bookings", "requester", {"source_language": "Français", "target_language": "Hongrois", "mode": "phone",
                                 "date": "2025-09-01", "start_time": "09:00", "duration_minutes": 60},
      "source_language", "mode", "duration_minutes"),
    E(f"/bookings/{BID}/offer", "coordinator", {"interpreter_ids": ["UBIPN0002"]}, None, "interpreter_ids"),
    E(f"/bookings/{BID}/decline", "interpreter", {"reason": "Non disponible"}, "reason"),
    E(f"/bookings/{BID}/accept", "interpreter", {}),
    E(f"/bookings/{BID}/assign", "coordinator", {"interpreter_id": "UBIPN0002"}, "interpreter_id", "interpreter_id"),
    E(f"/bookings/{BID}/modify", "requester", {"comments": "Salle 2"}, "comments", None, "duration_minutes"),
    E(f"/bookings/{BID}/withdraw", "coordinator", {"reason": "Malade"}, "reason"),
    E(f"/bookings/{BID}/cancel", "requester", {"reason": "Reporté"}, "reason", "reason"),
    E(f"/bookings/{BID}/report", "interpreter", REPORT, "comments", "actual_start", "wait_minutes"),
    E(f"/bookings/{BID}/correct-report", "interpreter", REPORT, "comments", "actual_end", "words"),
    E(f"/bookings/{BID}/attachments", "interpreter",
      {"filename": "recu.pdf", "content_type": "application/pdf", "content_base64": PDF}, "filename", "filename"),
    E(f"/bookings/{BID}/close", "coordinator", {"comment": "Conforme"}, "comment"),
    E("/accounts", "coordinator", {"email": "new@example.org", "first_name": "Nour", "last_name": "Haddad",
                                   "role": "interpreter"}, "first_name", "email"),
]
ids = [e.path.removeprefix("/api/v1") for e in BODY_ENDPOINTS]


def post(client, people, e: E, lang=None, **kwargs):
    headers = people.headers(e.role) if e.role else {}
    if lang:
        headers["Accept-Language"] = lang
    return client.post(e.path, headers=headers, **kwargs)


def error_of(resp, status=400):
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    error = resp.get_json()["error"]
    assert error["message"] and isinstance(error["fields"], dict)
    return error


def assert_no_service_call(fake, e: E):
    assert not [c for c in fake.calls if c[1] != "get_account"], fake.calls


@pytest.mark.parametrize("e", BODY_ENDPOINTS, ids=ids)
def test_unknown_field_is_named(client, people, fake, e):
    error = error_of(post(client, people, e, json={**e.body, "sneaky": 1}))
    assert error["code"] == "request.invalid"
    assert error["fields"]["sneaky"] == ["Champ inconnu."]
    assert "sneaky" in error["message"] and error["message"].startswith("Données invalides")
    en = error_of(post(client, people, e, lang="en", json={**e.body, "sneaky": 1}))
    assert en["fields"]["sneaky"] == ["Unknown field."] and en["message"].startswith("Invalid data")
    assert_no_service_call(fake, e)


@pytest.mark.parametrize("e", [e for e in BODY_ENDPOINTS if e.text], ids=lambda e: repr(e))
def test_operator_object_where_a_string_is_expected(client, people, fake, e):
    error = error_of(post(client, people, e, json={**e.body, e.text: {"$ne": ""}}))
    assert error["fields"][e.text] == ["Doit être une chaîne de caractères."]
    en = error_of(post(client, people, e, lang="en", json={**e.body, e.text: {"$ne": ""}}))
    assert en["fields"][e.text] == ["Must be a string."]
    assert_no_service_call(fake, e)


@pytest.mark.parametrize("e", [e for e in BODY_ENDPOINTS if e.text], ids=lambda e: repr(e))
def test_100k_character_string_is_too_long(client, people, fake, e):
    error = error_of(post(client, people, e, json={**e.body, e.text: "x" * 100_000}))
    assert error["fields"][e.text][0].startswith("Trop long")
    assert_no_service_call(fake, e)


@pytest.mark.parametrize("e", [e for e in BODY_ENDPOINTS if e.required], ids=lambda e: repr(e))
def test_missing_required_field(client, people, fake, e):
    body = {k: v for k, v in e.body.items() if k != e.required}
    assert error_of(post(client, people, e, json=body))["fields"][e.required] == ["Ce champ est obligatoire."]
    assert error_of(post(client, people, e, lang="en", json=body))["fields"][e.required] == ["This field is required."]


@pytest.mark.parametrize("e", [e for e in BODY_ENDPOINTS if e.integer], ids=lambda e: repr(e))
@pytest.mark.parametrize("value", ["deux heures", "60", 60.5, True, [60], {"$gt": 0}, 10**30])
def test_wrong_type_for_a_number(client, people, fake, e, value):
    error = error_of(post(client, people, e, json={**e.body, e.integer: value}))
    assert e.integer in error["fields"]


@pytest.mark.parametrize("e", BODY_ENDPOINTS, ids=ids)
@pytest.mark.parametrize("raw", ["[]", "[1, 2]", '"texte"', "42", "null", "true"])
def test_json_that_is_not_an_object(client, people, e, raw):
    error = error_of(post(client, people, e, data=raw, content_type="application/json"))
    assert error["code"] == "request.not_an_object"
    assert error["message"] == "Le corps de la requête doit être un objet JSON."


@pytest.mark.parametrize("e", BODY_ENDPOINTS, ids=ids)
@pytest.mark.parametrize("raw", [b"{", b"{'a': 1}", b'{"a": NaN}', b'{"a": Infinity}', b"\xff\xfe\xfa",
                                 b"[" * 50_000, b'{"a": 1' + b"0" * 5000 + b"}"])
def test_invalid_json(client, people, e, raw):
    error = error_of(post(client, people, e, data=raw, content_type="application/json"))
    assert error["code"] == "request.invalid_json"
    en = error_of(post(client, people, e, lang="en", data=raw, content_type="application/json"))
    assert en["message"] == "The request body is not valid JSON."


@pytest.mark.parametrize("e", BODY_ENDPOINTS, ids=ids)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
def test_body_that_is_not_json_is_415(client, people, e, content_type):
    error = error_of(post(client, people, e, data="a=b", content_type=content_type), 415)
    assert error["code"] == "request.unsupported_media_type"


def test_every_problem_is_reported_at_once_with_nested_paths(client, people):
    report = {**REPORT, "actual_start": "2025-09-01 9h", "distance_km": 12.5, "additional_service": "oui",
              "communications": [{"at": "2025-09-01T08:00:00Z", "purpose": "Rappel"}, {"at": "hier"}, "x"]}
    error = error_of(client.post(f"/api/v1/bookings/{BID}/report", json=report, headers=people.headers("interpreter")))
    assert error["fields"] == {
        "actual_start": ["Date et heure invalides : format ISO 8601 avec fuseau attendu (ex. 2025-03-14T09:30:00-04:00)."],
        "distance_km": ["Nombre décimal invalide (ex. 12.5)."],
        "additional_service": ["Doit être true ou false."],
        "communications.1.at": ["Date et heure invalides : format ISO 8601 avec fuseau attendu (ex. 2025-03-14T09:30:00-04:00)."],
        "communications.1.purpose": ["Ce champ est obligatoire."],
        "communications.2": ["Doit être un objet JSON."],
    }


def test_report_form_follows_provided(client, people):
    headers = people.headers("interpreter")
    url = f"/api/v1/bookings/{BID}/report"
    assert error_of(client.post(url, json={}, headers=headers))["fields"] == {"provided": ["Ce champ est obligatoire."]}
    assert error_of(client.post(url, json={"provided": "yes"}, headers=headers))["fields"] == {
        "provided": ["Doit être true ou false."]}
    # Fields of the other form are unknown in this one.
    error = error_of(client.post(url, json={"provided": False, "reason": "Absent", "actual_start": "x",
                                            "cancelled_at": "2025-09-01T08:00:00Z"}, headers=headers))
    assert error["fields"] == {"actual_start": ["Champ inconnu."]}


def test_a_report_read_back_with_nulls_is_accepted(client, people, fake):
    report = {**REPORT, "overtime_reason": None, "actual_minutes": 120,
              "communications": [{"at": "2025-09-01T08:00:00Z", "purpose": "Rappel", "requested_by": None}]}
    resp = client.post(f"/api/v1/bookings/{BID}/correct-report", json=report, headers=people.headers("interpreter"))
    assert resp.status_code == 404  # passed validation; the fake has no such booking
    assert fake.last_call("execute")[2][3] == report


def test_booking_schedule_depends_on_mode(client, people):
    headers = people.headers("requester")
    base = {"source_language": "Français", "target_language": "Arabe"}
    timed = error_of(client.post("/api/v1/bookings", json={**base, "mode": "phone"}, headers=headers))
    assert set(timed["fields"]) == {"date", "start_time", "duration_minutes"}
    due = error_of(client.post("/api/v1/bookings", json={**base, "mode": "document_translation"}, headers=headers))
    assert set(due["fields"]) == {"due_date"}
    bad = error_of(client.post("/api/v1/bookings", json={**base, "mode": "pigeon", "date": "2025-02-30",
                                                         "start_time": "25:00", "duration_minutes": 5},
                               headers=headers))
    assert bad["fields"] == {"mode": [bad["fields"]["mode"][0]], "date": ["Date invalide : format attendu AAAA-MM-JJ."],
                             "start_time": ["Heure invalide : format attendu HH:MM."],
                             "duration_minutes": ["Doit être entre 15 et 720."]}
    assert bad["fields"]["mode"][0].startswith("Valeur non permise ; valeurs possibles : in_person, phone")


@pytest.mark.parametrize("fields, name", [
    ({"video_link": "javascript:alert(1)"}, "video_link"),
    ({"requester_email": "pas-un-courriel"}, "requester_email"),
    ({"establishment": "hc'; drop"}, "establishment"),
    ({"comments": "a\x00b"}, "comments"),
])
def test_booking_field_formats(client, people, fields, name):
    body = {"source_language": "Français", "target_language": "Arabe", "mode": "due", **fields}
    assert name in error_of(client.post("/api/v1/bookings", json=body, headers=people.headers("coordinator")))["fields"]


def test_attachment_type_size_and_content_are_checked(client, people):
    url, headers = f"/api/v1/bookings/{BID}/attachments", people.headers("interpreter")
    body = {"filename": "recu.exe", "content_type": "application/x-msdownload", "content_base64": PDF}
    assert error_of(client.post(url, json=body, headers=headers))["fields"]["content_type"][0].startswith(
        "Type de fichier non permis")
    for declared in ("image/png", "image/heic"):   # every allowed type has its signature checked
        body = {"filename": "recu.png", "content_type": declared, "content_base64": PDF}
        # The document cannot state a signature: the request matches it, hence 422.
        assert error_of(client.post(url, json=body, headers=headers), 422)["fields"] == {
            "content_base64": ["Le contenu du fichier ne correspond pas au type déclaré."]}
    body = {"filename": "recu.pdf", "content_type": "application/pdf", "content_base64": "pas du base64!"}
    assert error_of(client.post(url, json=body, headers=headers))["fields"] == {
        "content_base64": ["Contenu base64 invalide."]}
    big = base64.b64encode(b"%PDF-" + b"0" * (10 * 1024 * 1024)).decode()
    body = {"filename": "gros.pdf", "content_type": "application/pdf", "content_base64": big}
    assert error_of(client.post(url, json=body, headers=headers))["fields"] == {
        "content_base64": ["Fichier trop volumineux : 10 Mo au maximum."]}


def test_body_size_limits_are_413_json(client, people):
    resp = client.post("/api/v1/bookings", data=b'{"comments": "' + b"x" * (1024 * 1024) + b'"}',
                       content_type="application/json", headers=people.headers("requester"))
    assert error_of(resp, 413) == {"code": "request.too_large", "message": "Requête trop volumineuse : 1 Mo au maximum.",
                                   "fields": {}}
    big = b'{"filename": "' + b"x" * (16 * 1024 * 1024) + b'"}'
    resp = client.post(f"/api/v1/bookings/{BID}/attachments", data=big, content_type="application/json",
                       headers=people.headers("interpreter", "en"))
    assert error_of(resp, 413)["message"] == "Request too large: at most 15 MB."


@pytest.mark.parametrize("query, name", [
    ("page=0", "page"), ("page=abc", "page"), ("per_page=500", "per_page"), ("status=lost", "status"),
    ("date_from=2025-13-01", "date_from"), ("date_to=demain", "date_to"), ("sneaky=1", "sneaky"),
    ("page=1&page=2", "page"), ("queue=all", "queue"), ("status=" + "pending," * 10, "status"),
])
def test_booking_list_query_is_validated(client, people, fake, query, name):
    error = error_of(client.get(f"/api/v1/bookings?{query}", headers=people.headers("coordinator")))
    assert name in error["fields"]
    assert not [c for c in fake.calls if c[1] == "list_bookings"]


def test_dates_out_of_order_match_the_document_and_are_422(client, people, fake):
    """The document cannot compare two parameters: the gateway's 422, not 400, says the request
    matched it; no service is asked."""
    resp = client.get("/api/v1/bookings?date_from=2025-09-02&date_to=2025-09-01", headers=people.headers("coordinator"))
    assert error_of(resp, 422)["fields"] == {"date_to": ["La date de fin doit suivre la date de début."]}
    assert not [c for c in fake.calls if c[1] == "list_bookings"]


def test_account_list_query_is_validated(client, people):
    error = error_of(client.get("/api/v1/accounts?role=root&per_page=0", headers=people.headers("coordinator")))
    assert set(error["fields"]) == {"role", "per_page"}


@pytest.mark.parametrize("path", [
    "/bookings/hc-25240001", "/bookings/HC-2524", "/bookings/HC-252400011", "/bookings/HCXXXXXX-25240001",
    "/bookings/HC-25240001%0A", "/bookings/..%2F..%2Fetc", "/bookings/HC-25240001/attachments/..%2Fx",
    "/accounts/a%20b", "/accounts/%24ne", "/nothing-here",
])
def test_malformed_path_ids_are_404_json(client, people, fake, path):
    error = error_of(client.get("/api/v1" + path, headers=people.headers("coordinator")), 404)
    assert error["code"] == "not_found" and error["message"] == "Ressource introuvable."
    assert not [c for c in fake.calls if c[1] != "get_account"]


def test_unknown_command_is_404_and_wrong_method_405(client, people):
    assert error_of(client.post(f"/api/v1/bookings/{BID}/approve", json={}, headers=people.headers("coordinator")),
                    404)["code"] == "not_found"
    resp = client.get(f"/api/v1/bookings/{BID}/close", headers=people.headers("coordinator", "en"))
    error = error_of(resp, 405)
    assert error == {"code": "method_not_allowed", "message": "HTTP method not allowed for this address.", "fields": {}}
    assert "POST" in resp.headers["Allow"]
