"""Bookings: create, list, read, one POST per lifecycle command, and attachment download."""
from __future__ import annotations

import base64
import binascii
import io
import re

from flask import Response, jsonify, send_file, url_for

from gateway.api import api, services
from gateway.errors import ApiError
from gateway.openapi import documented
from gateway.rpc import ServiceError
from gateway.schemas.bookings import ATTACHMENT_TYPES, COMMAND_SCHEMAS, BookingCreateSchema, BookingQuerySchema
from gateway.schemas.responses import BookingPageSchema, BookingSchema
from gateway.security import STAFF, actor, require
from gateway.validation import load_body, load_query
from services.auth.contract.vocabulary import SYSTEM
from services.booking.contract.vocabulary import COMMAND_ROLES

FORBIDDEN = "booking.forbidden_role"
COMMAND_SUMMARIES = {
    "offer": "Offer the booking to interpreters (coordinators)",
    "decline": "Decline an offer (offered interpreter)",
    "accept": "Accept an offer; the first interpreter wins, the others get 409",
    "assign": "Assign an interpreter (coordinators)",
    "modify": "Change booking fields (only those changed)",
    "withdraw": "Give an accepted booking back to the bank (more than 48 h before start)",
    "cancel": "Cancel the booking",
    "report": "Record the service report (from the start time on)",
    "correct-report": "Replace the service report with a corrected one",
    "attachments": "Add an attachment (PDF or image, e.g. a parking receipt)",
    "close": "Validate and close the booking (coordinators)",
    "return-report": "Send the report back to its interpreter with a comment instead of validating it (coordinators)",
}


@api.post("/bookings")
@require("requester", *STAFF, code=FORBIDDEN)
@documented("Create a booking: a time slot for the timed modes, a due date for the others", "bookings",
            body=BookingCreateSchema, response=BookingSchema, status=201, errors=(409,),
            rules={"request.invalid": ("establishment",)})
def create_booking():
    fields = load_body(BookingCreateSchema())
    booking = services().call("booking", "create_booking", actor(), fields)
    resp = jsonify(booking)
    resp.status_code = 201
    if isinstance(booking, dict) and isinstance(booking.get("id"), str):
        try:
            resp.headers["Location"] = url_for("api.get_booking", booking_id=booking["id"])
        except Exception:  # an id of an unexpected shape: no Location rather than an error
            pass
    return resp


@api.get("/bookings")
@require()
@documented("List the bookings visible to the caller, by start time", "bookings", query=BookingQuerySchema,
            response=BookingPageSchema, rules={"request.invalid": ("date_to",)})
def list_bookings():
    query = load_query(BookingQuerySchema, lists=("status",))
    if "queue" in query and actor()["role"] not in STAFF:
        raise ApiError(403, FORBIDDEN)
    # As JSON bytes: a list the gateway keeps (gateway/read_cache.py) goes out as it was kept.
    return Response(services().call_json("booking", "list_bookings", actor(), query), mimetype="application/json")


@api.get("/bookings/<booking_id:booking_id>")
@require()
@documented("One booking", "bookings", response=BookingSchema)
def get_booking(booking_id: str):
    return jsonify(services().call("booking", "get_booking", actor(), booking_id))


# What the booking's state, the caller's role or the clock may still refuse in a command that matches
# the document (422): the code and the fields it names.
COMMAND_RULES = {
    "modify": {"request.invalid": ("date", "start_time", "duration_minutes", "due_date", "establishment")},
    "cancel": {"request.invalid": ("cancelled_at",)},
    "withdraw": {"request.invalid": ("communications.<n>.at",)},
    # The clock and the booking's slot: no time after the moment it is recorded, a timed service's
    # actual start within 24 h of the planned one.
    "report": {"request.invalid": ("provided", "actual_start", "actual_end", "overtime_reason", "cancelled_at",
                                   "communications.<n>.at")},
    "correct-report": {"request.invalid": ("provided", "actual_start", "actual_end", "overtime_reason",
                                           "cancelled_at", "communications.<n>.at")},
    "attachments": {"request.invalid": ("content_base64",)},
}


def _command_view(command: str):
    schema_cls = COMMAND_SCHEMAS[command]

    @require(*(role for role in COMMAND_ROLES[command] if role != SYSTEM), code=FORBIDDEN)
    @documented(COMMAND_SUMMARIES[command], "booking commands", body=schema_cls, response=BookingSchema,
                errors=(409,), rules=COMMAND_RULES.get(command))
    def view(booking_id: str):
        payload = load_body(schema_cls)
        return jsonify(services().call("booking", "execute", actor(), booking_id, command, payload))

    view.__name__ = "booking_" + command.replace("-", "_")
    return view


for _command in COMMAND_SCHEMAS:
    _view = _command_view(_command)
    api.add_url_rule(f"/bookings/<booking_id:booking_id>/{_command}", endpoint=_view.__name__,
                     view_func=_view, methods=["POST"])


@api.get("/bookings/<booking_id:booking_id>/attachments/<attachment_id:attachment_id>")
@require()
@documented("Download an attachment", "bookings", binary={
    **{media: "the file, as an attachment" for media in ATTACHMENT_TYPES},
    "application/octet-stream": "a file of another type, as opaque bytes"})
def get_attachment(booking_id: str, attachment_id: str):
    result = services().call("booking", "get_attachment", actor(), booking_id, attachment_id)
    try:
        meta = result.get("meta") or {}
        content = base64.b64decode(result["content_base64"], validate=True)
    except (AttributeError, KeyError, TypeError, ValueError, binascii.Error):
        raise ServiceError(502, "service.error", "booking") from None
    # Only the allowed upload types are served as such; anything else downloads as opaque bytes.
    mimetype = meta.get("content_type") if meta.get("content_type") in ATTACHMENT_TYPES else "application/octet-stream"
    filename = meta.get("filename") if isinstance(meta.get("filename"), str) else ""
    filename = re.sub(r'[\x00-\x1f\x7f/\\"]', "_", filename)[:255] or attachment_id  # header-safe
    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=filename,
                     max_age=0)
