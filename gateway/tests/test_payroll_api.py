"""Payroll routes over the fake services: who may call what, what reaches the payroll service, and
the shapes of the CSV and PDF answers. The payroll service's own rules are tested in services/payroll."""
from __future__ import annotations

import base64

import pytest

from gateway.tests.conftest import bearer, make_token
from ims_common.errors import NotFound

COORD = bearer(make_token("UCOOR1", "coordinator"))
ADMIN = bearer(make_token("UADMIN1", "admin"))
INES = bearer(make_token("UINES", "interpreter"))
REQ = bearer(make_token("UREQ1", "requester", est="HC"))


@pytest.fixture
def payroll(fake):
    def remuneration(actor, booking_id):
        if actor["role"] not in ("coordinator", "admin") and actor["user_id"] != "UINES":
            raise NotFound("payroll.not_found")
        return {"booking_id": booking_id, "items": [{"total": "82.00"}]}

    fake.payroll__get_remuneration = remuneration
    fake.payroll__list_periods = lambda actor: [{"id": "2024-11-03", "status": "open", "total": "82.00"}]
    fake.payroll__close_period = lambda actor, pid, carry=None: {"id": pid, "status": "closed"}
    fake.payroll__get_period = lambda actor, pid: {"id": pid, "status": "open", "provisional": 1,
                                                   "provisional_items": [{"key": "HC-24240002:UINES"}]}
    fake.payroll__statement = lambda actor, pid, who: {"period": {"id": pid}, "interpreter_id": who}
    fake.payroll__export_csv = lambda actor, pid: "interpreter_id,total\r\nUINES,82.00\r\n"
    fake.payroll__statement_pdf = lambda actor, pid, who: {
        "filename": f"releve-{pid}-{who}.pdf", "content_base64": base64.b64encode(b"%PDF-1.3 x").decode()}
    fake.payroll__billing = lambda actor, pid: {"items": [], "totals": {"total": "0.00"}}
    fake.payroll__list_policies = lambda actor: [{"version": "BI-2024-11-04", "hourly_rate": "41.00"}]
    fake.payroll__add_policy = lambda actor, fields: dict(fields)
    return fake


def test_remuneration_is_left_to_the_service_to_hide(client, payroll):
    assert client.get("/api/v1/bookings/HC-24240002/remuneration", headers=INES).json["items"][0]["total"] == "82.00"
    assert client.get("/api/v1/bookings/HC-24240002/remuneration", headers=REQ).status_code == 404
    assert client.get("/api/v1/bookings/HC-24240002/remuneration").status_code == 401


def test_periods_and_closing(client, payroll):
    assert client.get("/api/v1/payroll/periods", headers=INES).json["items"][0]["id"] == "2024-11-03"
    assert client.get("/api/v1/payroll/periods", headers=REQ).status_code == 403
    assert client.post("/api/v1/payroll/periods/2024-11-03/close", headers=INES).status_code == 403
    resp = client.post("/api/v1/payroll/periods/2024-11-03/close", headers=COORD)
    assert resp.status_code == 200 and resp.json["status"] == "closed"
    assert payroll.last_call("close_period")[2][1:] == ("2024-11-03", None)
    assert client.post("/api/v1/payroll/periods/nope/close", headers=COORD).status_code == 404
    carry = ["HC-24240002:UINES", "HC-24240003:UBIPN0002:w1"]
    assert client.post("/api/v1/payroll/periods/2024-11-03/close", json={"carry": carry},
                       headers=COORD).status_code == 200
    assert payroll.last_call("close_period")[2][1:] == ("2024-11-03", carry)
    for bad in ({"carry": ["DROP TABLE"]}, {"carry": "HC-24240002:UINES"}, {"carry": [{"$ne": 1}]}, {"x": 1}):
        assert client.post("/api/v1/payroll/periods/2024-11-03/close", json=bad, headers=COORD).status_code == 400
    detail = client.get("/api/v1/payroll/periods/2024-11-03", headers=COORD)
    assert detail.status_code == 200 and detail.json["provisional_items"][0]["key"] == "HC-24240002:UINES"
    assert client.get("/api/v1/payroll/periods/2024-11-03", headers=INES).status_code == 403


def test_statements_take_the_period_and_optionally_the_interpreter(client, payroll):
    assert client.get("/api/v1/payroll/statements", headers=INES).status_code == 400
    resp = client.get("/api/v1/payroll/statements?period=2024-11-03&interpreter_id=UINES", headers=COORD)
    assert resp.status_code == 200 and payroll.last_call("statement")[2][1:] == ("2024-11-03", "UINES")
    assert client.get("/api/v1/payroll/statements?period=2024-11-03&x=1", headers=INES).status_code == 400


def test_csv_pdf_and_billing(client, payroll):
    resp = client.get("/api/v1/payroll/periods/2024-11-03/export.csv", headers=COORD)
    assert resp.status_code == 200 and resp.mimetype == "text/csv" and b"UINES,82.00" in resp.data
    assert client.get("/api/v1/payroll/periods/2024-11-03/export.csv", headers=INES).status_code == 403
    resp = client.get("/api/v1/payroll/periods/2024-11-03/statements/UINES.pdf", headers=INES)
    assert resp.status_code == 200 and resp.mimetype == "application/pdf" and resp.data.startswith(b"%PDF")
    assert client.get("/api/v1/payroll/periods/2024-11-03/statements/UOTTO.pdf", headers=INES).status_code == 404
    assert client.get("/api/v1/payroll/billing?period=2024-11-03", headers=COORD).status_code == 200
    assert client.get("/api/v1/payroll/billing?period=2024-11-03", headers=INES).status_code == 403


def test_policies_viewed_by_staff_added_by_admins_with_decimal_strings(client, payroll):
    assert client.get("/api/v1/payroll/policies", headers=COORD).json["items"][0]["hourly_rate"] == "41.00"
    assert client.get("/api/v1/payroll/policies", headers=INES).status_code == 403
    body = {"version": "V3", "effective_from": "2099-01-01", "hourly_rate": "45.00"}
    assert client.post("/api/v1/payroll/policies", json=body, headers=COORD).status_code == 403
    assert client.post("/api/v1/payroll/policies", json=dict(body, hourly_rate=45.5), headers=ADMIN).status_code == 400
    resp = client.post("/api/v1/payroll/policies", json=body, headers=ADMIN)
    assert resp.status_code == 201 and resp.json == body
