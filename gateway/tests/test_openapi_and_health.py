"""The OpenAPI document covers every route with its schemas; /healthz reports each service."""
from __future__ import annotations

import json
import re

import pytest


@pytest.fixture
def spec(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    return json.loads(resp.data)


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_route_is_documented(app, spec):
    assert spec["openapi"].startswith("3.")
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.startswith("web."):
            continue  # the web pages (gateway/web/) are HTML, not the JSON API
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = spec["paths"][path][method.lower()]
            assert operation["summary"] and operation["responses"], (path, method)


def test_commands_and_bodies_reference_their_schemas(spec):
    paths = spec["paths"]
    commands = ["offer", "decline", "accept", "assign", "modify", "withdraw", "cancel", "report", "correct-report",
                "attachments", "close", "return-report"]
    for command in commands:
        op = paths[f"/api/v1/bookings/{{booking_id}}/{command}"]["post"]
        assert op["requestBody"]["content"]["application/json"]["schema"]
        assert op["security"] == [{"bearerAuth": []}]
        assert {"400", "401", "403", "404", "409", "503"} <= set(op["responses"])
        booking_id = next(p for p in op["parameters"] if p["name"] == "booking_id")
        assert booking_id["in"] == "path" and booking_id["schema"]["pattern"] == r"^(?:[A-Z]{2,6}-[0-9]{8})(?![\s\S])"
    report = paths["/api/v1/bookings/{booking_id}/report"]["post"]["requestBody"]["content"]["application/json"]
    assert report["schema"] == {"oneOf": [{"$ref": "#/components/schemas/ProvidedReport"},
                                          {"$ref": "#/components/schemas/NotProvidedReport"}]}
    create = paths["/api/v1/bookings"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body["oneOf"] == [{"$ref": "#/components/schemas/TimedBookingCreate"},
                             {"$ref": "#/components/schemas/DueDateBookingCreate"}]
    assert body["discriminator"]["propertyName"] == "mode"
    assert body["discriminator"]["mapping"]["phone"] == "#/components/schemas/TimedBookingCreate"
    assert body["discriminator"]["mapping"]["document_translation"] == "#/components/schemas/DueDateBookingCreate"
    assert {"201", "422"} <= set(create["responses"]) and create["x-rules"] == {"request.invalid": ["establishment"]}
    listing = {p["name"]: p for p in paths["/api/v1/bookings"]["get"]["parameters"]}
    assert {"date_from", "date_to", "status", "queue", "page", "per_page"} <= set(listing)
    assert listing["per_page"]["schema"]["maximum"] == 200
    assert paths["/api/v1/auth/login"]["post"]["security"] == []


def test_schemas_carry_the_validation_rules(spec):
    schemas = spec["components"]["schemas"]
    timed, due = schemas["TimedBookingCreate"], schemas["DueDateBookingCreate"]
    # Duration for the timed modes, due date for the others: the rule of booking's contract.
    assert {"source_language", "target_language", "mode", "date", "start_time", "duration_minutes"} == set(timed["required"])
    assert {"source_language", "target_language", "mode", "due_date"} == set(due["required"])
    assert timed["properties"]["mode"]["enum"] == ["in_person", "phone", "video", "professional_service"]
    assert due["properties"]["mode"]["enum"] == ["message_transmission", "document_translation"]
    assert timed["properties"]["comments"]["maxLength"] == 2000
    assert timed["properties"]["duration_minutes"] == {"type": "integer", "minimum": 15, "maximum": 720}
    assert due["properties"]["duration_minutes"] == {"type": "integer", "minimum": 15, "maximum": 720,
                                                     "nullable": True}
    assert re.search(timed["properties"]["date"]["pattern"], "2024-02-29")
    assert not re.search(timed["properties"]["date"]["pattern"], "2025-02-29")
    # The hour skipped when daylight saving time starts names no moment.
    assert any("2025-03-09" in part["properties"]["date"]["enum"] for part in timed["not"]["anyOf"])
    assert set(schemas["ProvidedReport"]["required"]) >= {"provided", "actual_start", "actual_end"}
    assert schemas["Error"]["properties"]["error"]
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer",
                                                                   "bearerFormat": "JWT"}


def test_every_reference_resolves(spec):
    for ref in set(_refs(spec)):
        node = spec
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        assert node, ref


def test_document_is_valid_openapi(spec):
    from openapi_spec_validator import validate
    validate(spec)


def test_health_ok_when_every_service_answers(client, fake):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "ok"
    assert set(body["services"]) == {"auth", "booking", "payroll", "notification", "webhooks", "reference"}
    assert all(s["reachable"] and s["ok"] for s in body["services"].values())
    assert {c[3] for c in fake.calls if c[1] == "health"} == {2.0}  # the short timeout, not the default


def test_health_degraded_with_one_service_down(client, fake):
    fake.down.add("payroll")
    resp = client.get("/healthz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "degraded"
    assert body["services"]["payroll"] == {"reachable": False, "error": "service.unavailable"}
    assert body["services"]["booking"]["reachable"] is True


def test_health_degraded_when_a_service_times_out_or_says_not_ok(client, fake):
    from nameko.exceptions import RpcTimeout

    fake.failures[("notification", "health")] = RpcTimeout(2)
    fake.auth__health = lambda: {"service": "auth", "ok": False}
    body = client.get("/healthz").get_json()
    assert body["services"]["notification"] == {"reachable": False, "error": "service.timeout"}
    assert body["services"]["auth"] == {"reachable": True, "ok": False}
    assert body["status"] == "degraded"


def test_health_reports_the_events_a_service_parked(client, fake):
    """Parked events need an operator, not a restart: reported per service, the status stays ok."""
    fake.payroll__health = lambda: {"service": "payroll", "ok": True, "checkpoint": 40, "parked": 2,
                                    "auth_checkpoint": 3}
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json()["services"]["payroll"] == {"reachable": True, "ok": True, "checkpoint": 40, "parked": 2}
