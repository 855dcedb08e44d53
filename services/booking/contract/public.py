"""The public projection of a stored booking event: what leaves the booking service (the
`booking.public` exchange, `public_events_since`, GET /api/v1/events, webhooks).

The stored event (full, for internal use) is upcast to the current version of its type, then its
data is dumped through the type's schema: only declared fields survive (an allowlist). Event types
outside the contract are not published outside (None).

The booking's health-context category (`context`, e.g. "Santé mentale") is opt-in per subscriber
(issue 18): left out unless `context=True`, which is given only to subscribers granted it: the
`booking.public.context` exchange (RabbitMQ permissions), a system token with the `events:context`
scope on the catch-up, a webhook subscription made with `context: true` by such a token."""
from __future__ import annotations

from .schemas import REGISTRY, EnvelopeSchema, schema_for
from .events import upcast

ENVELOPE_FIELDS = tuple(EnvelopeSchema().fields)
EXCHANGE = "booking.public"                     # the public events, without the context category
CONTEXT_EXCHANGE = "booking.public.context"     # the same events with it
CONTEXT_FIELD = "context"


def is_public(event_type) -> bool:
    return event_type in REGISTRY


def public_event(envelope: dict, context: bool = False) -> dict | None:
    if not is_public(envelope.get("type")):
        return None
    current = upcast(envelope)
    data = schema_for(current["type"], current["schema_version"]).dump(current.get("data") or {})
    if not context:
        data = without_context(data)
    actor = current.get("actor") or {}
    out = {name: current.get(name) for name in ENVELOPE_FIELDS}
    out["actor"] = {"user_id": actor.get("user_id"), "role": actor.get("role")}
    out["data"] = data
    return out


def public_event_with_context(envelope: dict) -> dict | None:
    return public_event(envelope, context=True)


def without_context(data: dict) -> dict:
    """The data without the context category: BookingCreated's own field, BookingModified's change."""
    data = {k: v for k, v in data.items() if k != CONTEXT_FIELD}
    if isinstance(data.get("changes"), dict):
        data["changes"] = {k: v for k, v in data["changes"].items() if k != CONTEXT_FIELD}
    return data


# What the booking service's relay publishes beside booking.events (ims_common.nameko_ext.Runtime).
FEEDS = {EXCHANGE: public_event, CONTEXT_EXCHANGE: public_event_with_context}
