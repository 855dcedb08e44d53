"""The public projection of a stored booking event: what leaves the booking service (the
`booking.public` exchange, `public_events_since`, GET /api/v1/events, webhooks).

The stored event (full, for internal use) is upcast to the current version of its type, then its
data is dumped through the type's schema: only declared fields survive (an allowlist). Event types
outside the contract are not published outside (None)."""
from __future__ import annotations

from .schemas import REGISTRY, EnvelopeSchema, schema_for
from .events import upcast

ENVELOPE_FIELDS = tuple(EnvelopeSchema().fields)


def is_public(event_type) -> bool:
    return event_type in REGISTRY


def public_event(envelope: dict) -> dict | None:
    if not is_public(envelope.get("type")):
        return None
    current = upcast(envelope)
    data = schema_for(current["type"], current["schema_version"]).dump(current.get("data") or {})
    actor = current.get("actor") or {}
    out = {name: current.get(name) for name in ENVELOPE_FIELDS}
    out["actor"] = {"user_id": actor.get("user_id"), "role": actor.get("role")}
    out["data"] = data
    return out
