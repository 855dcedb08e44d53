"""Service errors (nameko RemoteError) map to HTTP statuses and translated messages; transport
failures become 502/503 JSON; wrong roles are refused at the gateway; nothing is a bare 500."""
from __future__ import annotations

import json

import pytest
from nameko.exceptions import IncorrectSignature, MethodNotFound, RemoteError, RpcTimeout, UnknownService

BID = "HC-25240001"


def remote(kind: str, code: str, params=None, fields=None) -> RemoteError:
    return RemoteError(kind, json.dumps({"code": code, "params": params or {}, "fields": fields or {}}))


@pytest.mark.parametrize("exc, status, code, message", [
    (remote("Conflict", "booking.already_taken"), 409, "booking.already_taken",
     "Cette demande a déjà été acceptée par un autre interprète."),
    (remote("Conflict", "booking.withdraw_too_late", {"hours": 48}), 409, "booking.withdraw_too_late",
     "Il reste moins de 48 heures avant le début : pour vous retirer, appelez la Banque d'interprètes au "
     "514 597-3284."),
    (remote("Conflict", "booking.wrong_status", {"status": "closed"}), 409, "booking.wrong_status",
     "Cette action n'est pas permise au statut actuel de la demande."),
    (remote("Conflict", "booking.report_too_early"), 409, "booking.report_too_early",
     "Le rapport de service ne peut être saisi qu'à partir de l'heure de début du rendez-vous."),
    (remote("NotFound", "booking.not_found"), 404, "booking.not_found", "Demande introuvable."),
    (remote("Forbidden", "booking.not_assigned"), 403, "booking.not_assigned",
     "Cette demande ne vous est pas assignée."),
    (remote("Unauthorized", "auth.invalid_credentials"), 401, "auth.invalid_credentials",
     "Identifiant ou mot de passe incorrect."),
    (remote("Conflict", "booking.brand_new_rule"), 409, "booking.brand_new_rule",
     "Une erreur est survenue (code : booking.brand_new_rule)."),
    (RemoteError("Conflict", "not json"), 409, "error.unknown", "Une erreur est survenue."),
    (RemoteError("KeyError", "'status'"), 502, "service.error",
     "Le service « booking » a rencontré une erreur ; l'équipe technique en est avisée."),
    (MethodNotFound("execute"), 502, "service.error",
     "Le service « booking » a rencontré une erreur ; l'équipe technique en est avisée."),
    (IncorrectSignature("execute"), 502, "service.error",
     "Le service « booking » a rencontré une erreur ; l'équipe technique en est avisée."),
    (UnknownService("booking"), 503, "service.unavailable",
     "Le service « booking » est momentanément indisponible : réessayez dans quelques instants."),
    (RpcTimeout(10), 503, "service.timeout",
     "Le service « booking » n'a pas répondu à temps : réessayez dans quelques instants."),
    (ConnectionRefusedError(111, "Connection refused"), 503, "service.unavailable",
     "Le service « booking » est momentanément indisponible : réessayez dans quelques instants."),
])
def test_service_failures_map_to_statuses(client, people, fake, exc, status, code, message):
    fake.failures[("booking", "execute")] = exc
    resp = client.post(f"/api/v1/bookings/{BID}/accept", json={}, headers=people.headers("interpreter"))
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    assert resp.get_json() == {"error": {"code": code, "message": message, "fields": {}}}
    if status == 503:
        assert resp.headers["Retry-After"]


def test_service_validation_errors_are_translated_per_field(client, people, fake):
    fake.failures[("booking", "execute")] = remote(
        "ValidationFailed", "request.invalid", {"fields": "overtime_reason, start_time"},
        {"overtime_reason": ["report.overtime_reason_required"], "start_time": ["time.nonexistent"],
         "comments": ["field.too_long"], "free": ["Déjà une phrase."]})
    resp = client.post(f"/api/v1/bookings/{BID}/modify", json={"comments": "x"}, headers=people.headers("requester", "en"))
    # The body matched the OpenAPI document: what the service refused is a rule beyond it.
    assert resp.status_code == 422
    assert resp.get_json()["error"] == {
        "code": "request.invalid", "message": "Invalid data: overtime_reason, start_time.",
        "fields": {"overtime_reason": ["Give the reason for the overtime: the actual duration exceeds the planned one."],
                   "start_time": ["This time does not exist on that day (daylight saving time change)."],
                   "comments": ["Too long."], "free": ["Déjà une phrase."]}}


def test_unavailable_auth_service_on_login_is_503(client, fake):
    fake.down.add("auth")
    resp = client.post("/api/v1/auth/login", json={"identifier": "a", "password": "b"},
                       headers={"Accept-Language": "en"})
    assert resp.status_code == 503
    assert resp.get_json()["error"]["message"] == "The auth service is temporarily unavailable: try again in a moment."


def test_pool_exhaustion_is_503_busy(client, people, fake):
    from gateway.rpc import PoolExhausted

    fake.failures[("booking", "get_booking")] = PoolExhausted()
    resp = client.get(f"/api/v1/bookings/{BID}", headers=people.headers("coordinator"))
    assert resp.status_code == 503 and resp.get_json()["error"]["code"] == "service.busy"


def test_undecodable_attachment_from_the_service_is_502(client, people, fake):
    fake.booking__get_attachment = lambda actor, bid, aid: {"meta": {}, "content_base64": "%%%"}
    resp = client.get(f"/api/v1/bookings/{BID}/attachments/abc123", headers=people.headers("coordinator"))
    assert resp.status_code == 502 and resp.get_json()["error"]["code"] == "service.error"


def test_unexpected_exception_is_logged_and_answered_500_json(app, people, caplog):
    @app.get("/boom")
    def boom():
        raise RuntimeError("bug")

    resp = app.test_client().get("/boom", headers={"Accept-Language": "en"})
    assert resp.status_code == 500
    assert resp.get_json()["error"] == {"code": "server.error", "fields": {},
                                        "message": "Unexpected internal error; the technical team has been notified."}
    assert "bug" in caplog.text


@pytest.mark.parametrize("role, method, path, body", [
    ("interpreter", "post", "/bookings", {"source_language": "Français"}),
    ("requester", "post", f"/bookings/{BID}/offer", {"interpreter_ids": ["UBIPN0002"]}),
    ("interpreter", "post", f"/bookings/{BID}/assign", {"interpreter_id": "UBIPN0002"}),
    ("requester", "post", f"/bookings/{BID}/close", {}),
    ("interpreter", "post", f"/bookings/{BID}/close", {}),
    ("coordinator", "post", f"/bookings/{BID}/accept", {}),
    ("requester", "post", f"/bookings/{BID}/decline", {}),
    ("interpreter", "post", f"/bookings/{BID}/cancel", {"reason": "x"}),
    ("interpreter", "post", f"/bookings/{BID}/modify", {}),
    ("requester", "post", f"/bookings/{BID}/withdraw", {}),
    ("coordinator", "post", f"/bookings/{BID}/report", {}),
    ("requester", "post", f"/bookings/{BID}/correct-report", {}),
    ("requester", "post", f"/bookings/{BID}/attachments", {}),
    ("requester", "get", "/bookings?queue=to_assign", None),
])
def test_wrong_role_is_403_before_any_service_call(client, people, fake, role, method, path, body):
    resp = getattr(client, method)("/api/v1" + path, json=body, headers=people.headers(role))
    assert resp.status_code == 403
    assert resp.get_json()["error"] == {"code": "booking.forbidden_role", "fields": {},
                                        "message": "Votre rôle ne permet pas cette action sur une demande."}
    assert fake.calls == []


@pytest.mark.parametrize("role, method, path", [
    ("interpreter", "post", "/accounts"), ("requester", "get", "/accounts"),
])
def test_account_management_is_for_coordinators(client, people, fake, role, method, path):
    resp = getattr(client, method)("/api/v1" + path, json={}, headers=people.headers(role, "en"))
    assert resp.status_code == 403
    assert resp.get_json()["error"]["message"] == "You do not have the rights needed for this action."
    assert fake.calls == []


def test_admin_may_do_what_a_coordinator_may(client, people, booking):
    resp = client.post(f"/api/v1/bookings/{booking['id']}/offer", json={"interpreter_ids": ["UBIPN0002"]},
                       headers=people.headers("admin"))
    assert resp.status_code == 200


def test_object_level_404_comes_from_the_service(client, people, booking):
    resp = client.get(f"/api/v1/bookings/{booking['id']}", headers=people.headers("other_requester"))
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "booking.not_found"


def test_security_headers_on_success_and_error(client, people):
    for resp in (client.get("/api/v1/me", headers=people.headers("interpreter")), client.get("/api/v1/nope"),
                 client.get("/healthz")):
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "no-referrer"
        assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
        assert resp.headers["Cache-Control"] == "no-store"
        assert resp.headers["X-Request-ID"]
        assert resp.mimetype == "application/json"


def test_security_headers_keep_a_views_own_and_are_each_sent_once(client, people):
    """The headers are added to what the app answers (gateway/app.py SecurityHeaders): a page's own
    Content-Security-Policy is kept, a static file may be cached, HSTS only over HTTPS."""
    page = client.get("/connexion")
    assert page.status_code == 200
    assert page.headers.getlist("Content-Security-Policy") == [page.headers["Content-Security-Policy"]]
    assert "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox" != \
        page.headers["Content-Security-Policy"]
    assert page.headers.getlist("X-Content-Type-Options") == ["nosniff"]
    assert page.headers.getlist("Cache-Control") == ["no-store"]
    assert "Strict-Transport-Security" not in page.headers
    static = client.get("/static/web.css")
    assert static.status_code == 200 and static.headers.get("Cache-Control") != "no-store"
    assert static.headers["X-Content-Type-Options"] == "nosniff"
    secure = client.get("/healthz", base_url="https://localhost", headers={"X-Request-ID": "req-9"})
    assert secure.headers.getlist("Strict-Transport-Security") == ["max-age=31536000"]
    assert secure.headers.getlist("X-Request-ID") == ["req-9"]
