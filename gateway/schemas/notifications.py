"""Schemas of the notification endpoints: the delivery log (docs/contracts.md, Notification)."""
from __future__ import annotations

from marshmallow import Schema, fields

from gateway.schemas.bookings import BOOKING_ID, USER_ID
from gateway.schemas.fields import Choice, Int, Pattern, StrictSchema

DELIVERY_STATUSES = ("pending", "sent", "failed")


class DeliveryQuerySchema(StrictSchema):
    status = Choice(DELIVERY_STATUSES)
    booking_id = Pattern(BOOKING_ID, 15)
    user_id = Pattern(USER_ID, 64)
    limit = Int(1, 1000, strict=False, load_default=500)


class DeliveryRecipientSchema(Schema):
    user_id = fields.String(allow_none=True)
    address = fields.String(metadata={"description": "email address or mobile number"})
    name = fields.String()


class DeliverySchema(Schema):
    id = fields.String(metadata={"description": "event_id|recipient|channel"})
    event_id = fields.String(metadata={"description": "the event, timer or account message behind it"})
    kind = fields.String(metadata={"example": "booking_offered"})
    booking_id = fields.String(allow_none=True)
    recipient = fields.Nested(DeliveryRecipientSchema)
    channel = fields.String(metadata={"enum": ["email", "sms"]})
    lang = fields.String(metadata={"enum": ["fr", "en"]})
    subject = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(DELIVERY_STATUSES)})
    attempts = fields.Integer()
    attempt_times = fields.List(fields.String(metadata={"format": "date-time"}))
    next_attempt_at = fields.String(metadata={"format": "date-time"})
    sent_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    error = fields.String(allow_none=True)
    created_at = fields.String(metadata={"format": "date-time"})


class DeliveryListSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema))
