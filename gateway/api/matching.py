"""Matching for coordinators: the candidates of a booking with the reasons (why not X?) in the
caller's language, and the "to assign" queue by urgency. Offering to all qualified interpreters
is POST /bookings/<id>/offer with {"all_qualified": true} (gateway/api/bookings.py)."""
from __future__ import annotations

from flask import jsonify

from gateway.api import api, services
from gateway.errors import current_lang
from gateway.openapi import documented
from gateway.schemas.matching import CandidatesSchema, QueuePageSchema, QueueQuerySchema
from gateway.security import STAFF, actor, require
from gateway.validation import load_query
from services.booking.contract.reasons import reason_text

FORBIDDEN = "booking.forbidden_role"


def _translated(reasons, lang: str) -> list:
    out = []
    for item in reasons if isinstance(reasons, list) else []:
        if isinstance(item, dict) and isinstance(item.get("code"), str):
            params = item.get("params") if isinstance(item.get("params"), dict) else {}
            out.append({"code": item["code"], "params": params, "message": reason_text(item, lang)})
    return out


@api.get("/bookings/<booking_id:booking_id>/candidates")
@require(*STAFF, code=FORBIDDEN)
@documented("Candidates for a booking, scored in tiers, and every other interpreter with the reasons "
            "(coordinators)", "matching", response=CandidatesSchema)
def booking_candidates(booking_id: str):
    result = services().call("booking", "candidates", actor(), booking_id)
    lang = current_lang()
    if isinstance(result, dict):
        for key in ("candidates", "excluded"):
            for entry in result.get(key) or []:
                if isinstance(entry, dict):
                    entry["reasons"] = _translated(entry.get("reasons"), lang)
    return jsonify(result)


@api.get("/queues/to-assign")
@require(*STAFF, code=FORBIDDEN)
@documented("Pending bookings to assign, most urgent first (flagged unfilled, start time, waiting "
            "time, declined offers)", "matching", query=QueueQuerySchema, response=QueuePageSchema)
def queue_to_assign():
    query = load_query(QueueQuerySchema())
    return jsonify(services().call("booking", "to_assign", actor(), query))
