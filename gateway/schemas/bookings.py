"""Request schemas of the booking endpoints (docs/contracts.md, booking service). The gateway checks
shape and types; the booking domain still decides what is allowed."""
from __future__ import annotations

import base64

from marshmallow import ValidationError, validates_schema

from gateway.schemas.fields import (
    LONG, SHORT, Base64Str, Bool, Choice, DateStr, DateTimeStr, DecimalStr, EmailStr, Int, ListOf, Msg,
    Obj, Pattern, StrictSchema, Text, TimeStr, UrlStr,
)

from ims_common import files
from services.booking.contract.vocabulary import DUE_DATE_MODES, MODES, STATUSES  # noqa: E402
QUEUES = ("to_assign", "to_validate")
BOOKING_ID = r"[A-Z]{2,6}-\d{8}"
USER_ID = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
ESTABLISHMENT = r"[A-Z]{2,6}"

ATTACHMENT_TYPES = files.ATTACHMENT_TYPES   # as the booking domain
ATTACHMENT_MAX_BYTES = files.UPLOAD_MAX_BYTES


class BookingFieldsSchema(StrictSchema):
    """Every booking field a requester or coordinator may give; at creation some are required."""
    source_language = Text(SHORT, min_length=1)
    target_language = Text(SHORT, min_length=1)
    mode = Choice(MODES)
    context = Text(SHORT)
    context_details = Text(LONG)
    establishment = Pattern(ESTABLISHMENT, 6)
    facility = Text(SHORT)
    address = Text(500)
    appointment_location = Text(SHORT)
    cost_center = Text(50)
    cost_center_description = Text(SHORT)
    date = DateStr()
    start_time = TimeStr()
    duration_minutes = Int(15, 720)
    due_date = DateStr()
    video_platform = Text(SHORT)
    video_link = UrlStr()
    video_secret = Text(SHORT)
    requester_name = Text(SHORT)
    requester_phone = Text(50)
    requester_email = EmailStr()
    note_to_interpreter = Text(LONG)
    message_to_interpreter = Text(LONG)
    comments = Text(LONG)


class BookingCreateSchema(BookingFieldsSchema):
    source_language = Text(SHORT, min_length=1, required=True)
    target_language = Text(SHORT, min_length=1, required=True)
    mode = Choice(MODES, required=True)

    @validates_schema
    def schedule_given(self, data, **kwargs):
        # A due date for messages and translations; a date, start time and duration for the rest.
        needed = ("due_date",) if data.get("mode") in DUE_DATE_MODES else ("date", "start_time", "duration_minutes")
        missing = {name: [Msg("field.required")] for name in needed if data.get(name) is None}
        if missing and "mode" in data:
            raise ValidationError(missing)


class BookingModifySchema(BookingFieldsSchema):
    """Only the fields that change."""


class BookingQuerySchema(StrictSchema):
    date_from = DateStr()
    date_to = DateStr()
    status = ListOf(Choice(STATUSES), max_items=len(STATUSES))
    queue = Choice(QUEUES)
    page = Int(1, 100_000, strict=False, load_default=1)
    per_page = Int(1, 200, strict=False, load_default=50)

    @validates_schema
    def dates_in_order(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ValidationError({"date_to": [Msg("field.date_order")]})


# ---- command payloads ----

class OfferSchema(StrictSchema):
    """Either chosen interpreters, or {"all_qualified": true}: every current candidate at once."""
    interpreter_ids = ListOf(Pattern(USER_ID), min_items=1, max_items=100)
    all_qualified = Bool()

    @validates_schema
    def one_of_both(self, data, **kwargs):
        if data.get("all_qualified") is True and data.get("interpreter_ids"):
            raise ValidationError({"all_qualified": [Msg("field.exclusive")]})
        if data.get("all_qualified") is not True and not data.get("interpreter_ids"):
            raise ValidationError({"interpreter_ids": [Msg("field.required")]})
        if data.get("all_qualified") is False:
            raise ValidationError({"all_qualified": [Msg("field.invalid")]})


class DeclineSchema(StrictSchema):
    reason = Text(LONG)


class EmptySchema(StrictSchema):
    """accept: nothing to give."""


class AssignSchema(StrictSchema):
    interpreter_id = Pattern(USER_ID, required=True)


class CancelSchema(StrictSchema):
    reason = Text(LONG, min_length=1, required=True)
    cancelled_at = DateTimeStr(metadata={"description": "coordinators only: when the bank was told"})


class CloseSchema(StrictSchema):
    comment = Text(LONG)


class CommunicationSchema(StrictSchema):
    """One billable communication (call, message) made outside the service itself."""
    at = DateTimeStr(required=True)
    purpose = Text(SHORT, min_length=1, required=True)
    requested_by = Text(SHORT)


class WithdrawSchema(StrictSchema):
    """An optional reason, and the billable communications made before withdrawing."""
    reason = Text(LONG)
    communications = ListOf(Obj(CommunicationSchema), max_items=50)


class _ReportCommon(StrictSchema):
    provided = Bool(required=True)
    wait_minutes = Int(0, 1440)
    distance_km = DecimalStr()
    travel_minutes = Int(0, 1440)
    communications = ListOf(Obj(CommunicationSchema), max_items=50)
    words = Int(0, 1_000_000)
    other_fees_cents = Int(0, 1_000_000)
    comments = Text(LONG)
    actual_minutes = Int(0, 1440, metadata={"description": "computed by the service; accepted back, ignored"})


class ProvidedReportSchema(_ReportCommon):
    """Service report when the service took place (provided: true)."""
    actual_start = DateTimeStr(required=True)
    actual_end = DateTimeStr(required=True)
    overtime_reason = Text(LONG, metadata={"description": "required when longer than planned"})
    additional_service = Bool()


class NotProvidedReportSchema(_ReportCommon):
    """Service report when it did not (provided: false): why, and what was done before."""
    reason = Text(SHORT, min_length=1, required=True)
    detailed_reason = Text(LONG)
    cancelled_at = DateTimeStr(required=True)


class ReportSchema:
    """Chooses the report form from `provided`; `load` behaves like a marshmallow schema's."""

    def load(self, data: dict) -> dict:
        provided = data.get("provided")
        if not isinstance(provided, bool):
            raise ValidationError({"provided": [Msg("field.required" if provided is None else "field.not_a_boolean")]})
        return (ProvidedReportSchema if provided else NotProvidedReportSchema)().load(data)


def _allowed_type(value: str) -> None:
    if value.lower() not in ATTACHMENT_TYPES:
        raise ValidationError(Msg("file.type_not_allowed", types=", ".join(ATTACHMENT_TYPES)))


class AttachmentSchema(StrictSchema):
    """A file as base64 (10 MB at most). A browser's "C:\\fakepath\\" is cut off by the service."""
    filename = Text(SHORT, min_length=1, required=True)
    content_type = Text(100, required=True, validate=[_allowed_type],
                        metadata={"enum": list(ATTACHMENT_TYPES)})
    content_base64 = Base64Str(ATTACHMENT_MAX_BYTES, min_length=1, required=True)
    description = Text(LONG)

    @validates_schema
    def content_matches(self, data, **kwargs):
        if not data.get("content_base64"):
            return
        content = base64.b64decode(data["content_base64"])
        content_type = str(data.get("content_type")).lower()
        if content_type in ATTACHMENT_TYPES and not files.matches(content_type, content):
            raise ValidationError({"content_base64": [Msg("file.type_mismatch")]})


COMMAND_SCHEMAS = {
    "offer": OfferSchema,
    "decline": DeclineSchema,
    "accept": EmptySchema,
    "assign": AssignSchema,
    "modify": BookingModifySchema,
    "withdraw": WithdrawSchema,
    "cancel": CancelSchema,
    "report": ReportSchema,
    "correct-report": ReportSchema,
    "attachments": AttachmentSchema,
    "close": CloseSchema,
}
