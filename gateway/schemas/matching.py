"""Schemas of the matching endpoints: the candidate list with its reasons, and the urgency queue
(response shapes for the OpenAPI document; the booking service decides)."""
from __future__ import annotations

from marshmallow import Schema, fields

from gateway.schemas.fields import Int, StrictSchema


class ReasonSchema(Schema):
    code = fields.String(metadata={"example": "matching.overlapping_booking"})
    params = fields.Dict(keys=fields.String())
    message = fields.String(metadata={"description": "In the caller's language"})


class CandidateSchema(Schema):
    interpreter_id = fields.String()
    name = fields.String()
    score = fields.Float(metadata={"description": "0..100, higher fits better"})
    tier = fields.Integer(metadata={"description": "1 = the best tier_size candidates"})
    distance_km = fields.Float(allow_none=True)
    offered = fields.Boolean(metadata={"description": "already holds an offer for this booking"})
    reasons = fields.List(fields.Nested(ReasonSchema))


class ExcludedSchema(Schema):
    interpreter_id = fields.String()
    name = fields.String()
    reasons = fields.List(fields.Nested(ReasonSchema), metadata={"description": "why not this interpreter"})


class CandidatesSchema(Schema):
    booking_id = fields.String()
    status = fields.String()
    candidates = fields.List(fields.Nested(CandidateSchema))
    excluded = fields.List(fields.Nested(ExcludedSchema))
    policy = fields.Dict(keys=fields.String())


class QueueQuerySchema(StrictSchema):
    page = Int(1, 100_000, strict=False, load_default=1)
    per_page = Int(1, 200, strict=False, load_default=50)


class QueueItemSchema(Schema):
    id = fields.String()
    number = fields.String()
    status = fields.String()
    start_at = fields.String(metadata={"format": "date-time"})
    source_language = fields.String()
    target_language = fields.String()
    mode = fields.String()
    establishment = fields.String()
    urgency = fields.Float(metadata={"description": "lower is more urgent"})
    flagged_unfilled = fields.Boolean()
    declined_count = fields.Integer()
    open_offers = fields.Integer()
    offer_rounds = fields.Integer()
    created_at = fields.String(metadata={"format": "date-time"})


class QueuePageSchema(Schema):
    items = fields.List(fields.Nested(QueueItemSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
