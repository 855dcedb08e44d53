"""Schemas of GET /api/v1/events (the public booking events, docs/events/)."""
from __future__ import annotations

from marshmallow import Schema, fields

from gateway.schemas.fields import Int, StrictSchema

MAX_LIMIT = 1000


class EventQuerySchema(StrictSchema):
    after = Int(0, 2**62, strict=False, load_default=0,
                metadata={"description": "the last position you have; 0 to start from the beginning"})
    limit = Int(1, MAX_LIMIT, strict=False, load_default=100)


class EventEnvelopeSchema(Schema):
    """docs/events/envelope.json; `data` follows docs/events/<type>.v<schema_version>.json."""
    event_id = fields.String()
    type = fields.String()
    schema_version = fields.Integer()
    stream_id = fields.String()
    stream_version = fields.Integer()
    position = fields.Integer()
    occurred_at = fields.String()
    actor = fields.Dict()
    correlation_id = fields.String(allow_none=True)
    causation_id = fields.String(allow_none=True)
    data = fields.Dict()


class EventPageSchema(Schema):
    items = fields.List(fields.Nested(EventEnvelopeSchema), metadata={"description": "in position order"})
    next_after = fields.Integer(metadata={"description": "ask again with after=next_after; equal to after: "
                                                         "you are up to date"})
