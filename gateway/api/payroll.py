"""Payroll: a booking's remuneration, pay periods (list, close), statements (JSON, PDF), the
finance CSV export, the billing report per establishment and cost center, and the pay policy."""
from __future__ import annotations

import base64
import binascii
import io

from flask import Response, jsonify, send_file

from gateway.api import CONVERTERS, _converter, api, services
from gateway.errors import ApiError
from gateway.openapi import documented
from gateway.rpc import ServiceError
from gateway.schemas.payroll import (
    PERIOD_ID, BillingQuerySchema, BillingSchema, ClosePeriodSchema, PeriodDetailSchema, PeriodListSchema,
    PeriodSchema, PolicyCreateSchema,
    PolicyListSchema, PolicySchema, RemunerationSchema, StatementQuerySchema, StatementSchema,
)
from gateway.security import STAFF, actor, require
from gateway.validation import load_body, load_query

CONVERTERS["period_id"] = _converter("period_id", PERIOD_ID)
FORBIDDEN = "payroll.forbidden"
# A day of the right shape that does not start a pay period (the calendar is payroll's configuration).
PERIOD_RULE = {"payroll.invalid_period": ("period",)}


@api.get("/bookings/<booking_id:booking_id>/remuneration")
@require()  # the payroll service answers 404 to anyone but the booking's interpreter and coordinators
@documented("A booking's remuneration, line by line (its interpreter, coordinators)", "payroll",
            response=RemunerationSchema)
def get_remuneration(booking_id: str):
    return jsonify(services().call("payroll", "get_remuneration", actor(), booking_id))


@api.get("/payroll/periods")
@require("interpreter", *STAFF)
@documented("Pay periods, newest first", "payroll", response=PeriodListSchema)
def list_pay_periods():
    return jsonify({"items": services().call("payroll", "list_periods", actor())})


@api.get("/payroll/periods/<period_id:period_id>")
@require(*STAFF, code=FORBIDDEN)
@documented("A pay period and the provisional amounts it holds (coordinators)", "payroll",
            response=PeriodDetailSchema, rules=PERIOD_RULE)
def get_pay_period(period_id: str):
    return jsonify(services().call("payroll", "get_period", actor(), period_id))


@api.post("/payroll/periods/<period_id:period_id>/close")
@require(*STAFF, code=FORBIDDEN)
@documented("Close a pay period that has ended (coordinators): each provisional amount it holds must be "
            "validated first or carried to the next open period; later changes become adjustments there",
            "payroll", body=ClosePeriodSchema, response=PeriodSchema, errors=(409,),
            rules={"request.invalid": ("carry",), **PERIOD_RULE})
def close_pay_period(period_id: str):
    body = load_body(ClosePeriodSchema())
    return jsonify(services().call("payroll", "close_period", actor(), period_id, body.get("carry")))


@api.get("/payroll/statements")
@require("interpreter", *STAFF)
@documented("A pay-period statement (interpreter: own; coordinators: ?interpreter_id=)", "payroll",
            query=StatementQuerySchema, response=StatementSchema,
            rules={**PERIOD_RULE, "payroll.interpreter_required": ("interpreter_id",)})
def get_statement():
    query = load_query(StatementQuerySchema())
    return jsonify(services().call("payroll", "statement", actor(), query["period"],
                                   query.get("interpreter_id")))


@api.get("/payroll/periods/<period_id:period_id>/export.csv")
@require(*STAFF, code=FORBIDDEN)
@documented("Finance export of a period: one CSV line per interpreter", "payroll",
            binary={"text/csv": "UTF-8, amounts as exact decimals"}, rules=PERIOD_RULE)
def export_pay_period(period_id: str):
    text = services().call("payroll", "export_csv", actor(), period_id)
    if not isinstance(text, str):
        raise ServiceError(502, "service.error", "payroll")
    return Response(text.encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="paie-{period_id}.csv"'})


@api.get("/payroll/periods/<period_id:period_id>/statements/<user_id:user_id>.pdf")
@require("interpreter", *STAFF)
@documented("A pay-period statement as PDF (interpreter: own; coordinators: any)", "payroll",
            binary={"application/pdf": "the statement"}, rules=PERIOD_RULE)
def statement_pdf(period_id: str, user_id: str):
    if actor()["role"] not in STAFF and actor()["user_id"] != user_id:
        raise ApiError(404, "payroll.not_found")
    result = services().call("payroll", "statement_pdf", actor(), period_id, user_id)
    try:
        content = base64.b64decode(result["content_base64"], validate=True)
        filename = str(result["filename"])
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise ServiceError(502, "service.error", "payroll") from None
    return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=True,
                     download_name=filename, max_age=0)


@api.get("/payroll/billing")
@require(*STAFF, code=FORBIDDEN)
@documented("Billing of a period per establishment and cost center (the establishment that asks pays)",
            "payroll", query=BillingQuerySchema, response=BillingSchema, rules=PERIOD_RULE)
def billing_report():
    query = load_query(BillingQuerySchema())
    return jsonify(services().call("payroll", "billing", actor(), query["period"]))


@api.get("/payroll/policies")
@require(*STAFF, code=FORBIDDEN)
@documented("Pay policy versions, by effective date (coordinators)", "payroll", response=PolicyListSchema)
def list_pay_policies():
    return jsonify({"items": services().call("payroll", "list_policies", actor())})


@api.post("/payroll/policies")
@require("admin", code=FORBIDDEN)
@documented("Add a pay policy version (admins): the latest version with the given changes", "payroll",
            body=PolicyCreateSchema, response=PolicySchema, status=201,
            # the policy's own rules (services/payroll/app/policies.py, domain/policy.py): effective after
            # today and after the latest version, a new version id, a road factor of at least 1, timed
            # minimums on the block grid
            rules={"payroll.policy_not_after": ("effective_from",), "payroll.policy_version_taken": ("version",),
                   "payroll.invalid_policy": ("mileage_road_factor", "modes")})
def add_pay_policy():
    fields = load_body(PolicyCreateSchema())
    resp = jsonify(services().call("payroll", "add_policy", actor(), fields))
    resp.status_code = 201
    return resp
