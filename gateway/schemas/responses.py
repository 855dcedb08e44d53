"""Response shapes, for the OpenAPI document only: the gateway passes the services' answers through."""
from __future__ import annotations

from marshmallow import Schema, fields

from gateway.schemas.bookings import BookingFieldsSchema, ProvidedReportSchema, STATUSES


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"example": "booking.wrong_status"})
    message = fields.String(required=True, metadata={"description": "In the caller's language (fr by default)"})
    field_errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), data_key="fields",
                               metadata={"description": "field path -> messages (validation errors)"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class AttachmentMetaSchema(Schema):
    id = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    description = fields.String(allow_none=True)
    added_by = fields.String()
    added_at = fields.String(metadata={"format": "date-time"})


class BookingSchema(BookingFieldsSchema):
    """Booking detail: the booking fields plus what the lifecycle adds."""
    id = fields.String(metadata={"example": "HC-24240002"})
    number = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    version = fields.Integer()
    start_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    end_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    created_at = fields.String(metadata={"format": "date-time"})
    created_by = fields.String()
    assigned_interpreter_id = fields.String(allow_none=True)
    offered_to = fields.List(fields.String())
    declined_by = fields.List(fields.String(), metadata={"description": "coordinators only"})
    report = fields.Nested(ProvidedReportSchema, allow_none=True,
                           metadata={"description": "either report form, or null"})
    attachments = fields.List(fields.Nested(AttachmentMetaSchema))
    cancelled_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    closed_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class BookingPageSchema(Schema):
    items = fields.List(fields.Nested(BookingSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class AccountSchema(Schema):
    user_id = fields.String(metadata={"example": "UBIPN0002"})
    email = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    role = fields.String()
    secondary_role = fields.String(allow_none=True)
    default_role = fields.String(allow_none=True)
    establishment = fields.String(allow_none=True)
    display_language = fields.String()
    active = fields.Boolean()
    must_change_password = fields.Boolean()
    created_at = fields.String(metadata={"format": "date-time"})


class AccountPageSchema(Schema):
    items = fields.List(fields.Nested(AccountSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class LoginResultSchema(Schema):
    access_token = fields.String()
    token_type = fields.String(metadata={"example": "Bearer"})
    expires_in = fields.Integer()
    user = fields.Nested(AccountSchema)


class ServiceHealthSchema(Schema):
    reachable = fields.Boolean(required=True)
    ok = fields.Boolean()
    error = fields.String()


class HealthSchema(Schema):
    status = fields.String(metadata={"enum": ["ok", "degraded"]})
    services = fields.Dict(keys=fields.String(), values=fields.Nested(ServiceHealthSchema))
