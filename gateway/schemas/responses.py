"""Response shapes, for the OpenAPI document only: the gateway passes the services' answers through.
Each declares every field its service returns (and no other: the document says additionalProperties
false), and which of them may be null."""
from __future__ import annotations

from marshmallow import Schema, fields

from services.auth.contract.vocabulary import ROLES
from services.booking.contract.vocabulary import BOOKING_FIELDS, MODES, STATUSES


def text(**metadata):
    return fields.String(allow_none=True, metadata=metadata)


def moment(nullable: bool = True, **metadata):
    return fields.String(allow_none=nullable, metadata={"format": "date-time", **metadata})


def day(nullable: bool = True, **metadata):
    return fields.String(allow_none=nullable, metadata={"format": "date", **metadata})


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"example": "booking.wrong_status"})
    message = fields.String(required=True, metadata={"description": "In the caller's language (fr by default)"})
    field_errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), data_key="fields",
                               required=True, metadata={"description": "field path -> messages (invalid input)"})
    retry_after = fields.Integer(metadata={"description": "429: seconds to wait"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


# ---- bookings ---------------------------------------------------------------------------------

class AttachmentMetaSchema(Schema):
    id = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    description = text()
    added_by = text()
    added_at = moment()


class CommunicationOutSchema(Schema):
    at = moment()
    purpose = text()
    requested_by = text()


class _ReportOut(Schema):
    wait_minutes = fields.Integer()
    distance_km = fields.String(metadata={"description": "decimal as text, e.g. 12.50"})
    travel_minutes = fields.Integer()
    communications = fields.List(fields.Nested(CommunicationOutSchema))
    words = fields.Integer()
    other_fees_cents = fields.Integer()
    comments = text()


class ProvidedReportOutSchema(_ReportOut):
    provided = fields.Boolean(metadata={"enum": [True]})
    actual_start = moment()
    actual_end = moment()
    actual_minutes = fields.Integer(allow_none=True)
    overtime_reason = text()
    additional_service = fields.Boolean()


class NotProvidedReportOutSchema(_ReportOut):
    provided = fields.Boolean(metadata={"enum": [False]})
    reason = text()
    detailed_reason = text()
    cancelled_at = moment()


class WithdrawalSchema(Schema):
    interpreter_id = fields.String()
    reason = text()
    communications = fields.List(fields.Nested(CommunicationOutSchema))
    at = moment()
    by = text()


class OfferRoundSchema(Schema):
    at = moment()
    by = text()
    interpreter_ids = fields.List(fields.String())
    broadcast = fields.Boolean()
    tier = fields.Integer(allow_none=True)


_BOOKING_FIELD_TYPES = {"duration_minutes": lambda: fields.Integer(allow_none=True),
                        "date": lambda: day(), "due_date": lambda: day(),
                        "mode": lambda: fields.String(metadata={"enum": list(MODES)})}
_BOOKING_FIELDS = {name: _BOOKING_FIELD_TYPES.get(name, text)() for name in BOOKING_FIELDS}


class BookingSchema(Schema.from_dict(_BOOKING_FIELDS, name="_BookingFields")):
    """Booking detail: the booking fields plus what the lifecycle adds. Parts the caller may not see
    are absent: declined_by, withdrawals, cancel_reason, close_comment, offer_rounds, offers_withdrawn
    and flagged_unfilled_at are for coordinators; report and attachments for coordinators and the
    assigned interpreter; video_secret not for other interpreters."""
    id = fields.String(metadata={"example": "HC-24240002"})
    number = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    version = fields.Integer()
    start_at = moment()
    end_at = moment()
    created_at = moment()
    created_by = text()
    assigned_interpreter_id = text()
    assigned_at = moment(description="when it was accepted or assigned; null while pending")
    offered_to = fields.List(fields.String())
    declined_by = fields.List(fields.String())
    withdrawals = fields.List(fields.Nested(WithdrawalSchema))
    report = fields.Raw(allow_none=True, metadata={"description": "either report form, or null", "oneOf": [
        {"$ref": "#/components/schemas/ProvidedReportOut"}, {"$ref": "#/components/schemas/NotProvidedReportOut"}]})
    attachments = fields.List(fields.Nested(AttachmentMetaSchema))
    cancelled_at = moment()
    cancel_reason = text()
    previous_status = fields.String(allow_none=True, metadata={"enum": [*STATUSES, None]})
    closed_at = moment()
    close_comment = text()
    offer_rounds = fields.List(fields.Nested(OfferRoundSchema), allow_none=True)
    offers_withdrawn = fields.List(fields.String(), allow_none=True)
    flagged_unfilled_at = moment()
    report_returned = fields.Raw(allow_none=True, metadata={
        "description": "{comment, by, at} while the report the bank sent back awaits its interpreter's "
                       "correction (coordinators and the assigned interpreter); else null"})


class BookingSummarySchema(Schema):
    """A booking in a list."""
    id = fields.String()
    number = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    start_at = moment()
    end_at = moment()
    date = day()
    start_time = text()
    duration_minutes = fields.Integer(allow_none=True)
    due_date = day()
    mode = fields.String(metadata={"enum": list(MODES)})
    source_language = text()
    target_language = text()
    establishment = text()
    facility = text()
    context = text()
    assigned_interpreter_id = text()
    version = fields.Integer()
    created_at = moment()
    assigned_at = moment()


class BookingPageSchema(Schema):
    items = fields.List(fields.Nested(BookingSummarySchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


# ---- accounts ---------------------------------------------------------------------------------

class AccountSchema(Schema):
    user_id = fields.String(metadata={"example": "UBIPN0002"})
    email = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    role = fields.String(metadata={"enum": list(ROLES)})
    secondary_role = fields.String(allow_none=True)
    default_role = fields.String(allow_none=True)
    establishment = text()
    display_language = fields.String(metadata={"enum": ["fr", "en"]})
    active = fields.Boolean()
    must_change_password = fields.Boolean()
    created_at = moment()
    # For coordinators and admins only:
    locked = fields.Boolean(metadata={"description": "staff only: locked after failed sign-ins"})
    failed_attempts = fields.Integer(metadata={"description": "staff only"})
    locked_at = moment(description="staff only")
    mfa_enabled = fields.Boolean(metadata={"description": "staff only"})


class AccountPageSchema(Schema):
    items = fields.List(fields.Nested(AccountSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


# ---- health -----------------------------------------------------------------------------------

class ServiceHealthSchema(Schema):
    reachable = fields.Boolean(required=True)
    ok = fields.Boolean()
    error = fields.String()
    last_position = fields.Integer(metadata={"description": "a source's newest event"})
    checkpoint = fields.Integer(metadata={"description": "how far a consumer has applied its source"})
    parked = fields.Integer(metadata={"description": "events the service could not apply and set aside: an "
                                                     "operator's attention (`python -m services.<name>.cli parked`)"})


class HealthSchema(Schema):
    status = fields.String(metadata={"enum": ["ok", "degraded"]})
    services = fields.Dict(keys=fields.String(), values=fields.Nested(ServiceHealthSchema))
