"""Schemas of the webhook subscriptions (services/webhooks, docs/events/README.md)."""
from __future__ import annotations

from marshmallow import Schema, fields

from gateway.schemas.fields import Bool, Choice, Int, ListOf, StrictSchema, Text
from services.booking.contract.events import CURRENT

EVENT_TYPES = tuple(sorted(CURRENT))
DELIVERY_STATUSES = ("pending", "delivered", "failed", "cancelled")


class WebhookCreateSchema(StrictSchema):
    url = Text(2000, min_length=8, required=True,
               metadata={"description": "https://…; http:// only on loopback (127.0.0.1, ::1, localhost)"})
    event_types = ListOf(Choice(EVENT_TYPES), max_items=len(EVENT_TYPES), min_items=1,
                         metadata={"description": "absent: every event type"})
    description = Text(200)
    context = Bool(metadata={
        "description": "true: deliveries carry the booking's context category (e.g. Santé mentale); only for a "
                       "system token with scope events:context (or the bank's staff), else 403. Absent: false"})


class DeliveryQuerySchema(StrictSchema):
    status = Choice(DELIVERY_STATUSES)
    limit = Int(1, 1000, strict=False, load_default=100)


class WebhookSchema(Schema):
    id = fields.String()
    url = fields.String()
    event_types = fields.List(fields.String())
    description = fields.String(allow_none=True)
    owner = fields.String()
    context = fields.Boolean(metadata={"description": "its deliveries carry the booking's context category"})
    active = fields.Boolean(metadata={"description": "false once deleted (its deliveries stay readable)"})
    created_at = fields.String()
    deleted_at = fields.String(allow_none=True)
    paused = fields.Boolean(metadata={"description": "the endpoint kept failing: nothing is sent until a probe "
                                                     "(one delivery, at next_probe_at) succeeds"})
    paused_since = fields.String(allow_none=True)
    next_probe_at = fields.String(allow_none=True)
    consecutive_failures = fields.Integer()
    backlog = fields.Integer(metadata={"description": "deliveries pending, sent in position order"})
    oldest_pending_since = fields.String(allow_none=True, metadata={"description": "when the oldest was queued"})
    oldest_pending_position = fields.Integer(allow_none=True)
    secret = fields.String(metadata={"description": "only in the answer to POST: keep it to verify IMS-Signature"})


class WebhookListSchema(Schema):
    items = fields.List(fields.Nested(WebhookSchema))


class DeliverySchema(Schema):
    id = fields.String()
    subscription_id = fields.String()
    event_id = fields.String()
    type = fields.String()
    position = fields.Integer()
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.String(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    delivered_at = fields.String(allow_none=True)


class DeliveryListSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema))
