"""GET /api/v1/events: the public booking events after a position, in order, paged (catch-up for
outside systems: docs/events/README.md). System tokens with scope events:read, and coordinators."""
from __future__ import annotations

from flask import jsonify

from gateway.api import api, services
from gateway.openapi import documented
from gateway.schemas.events import EventPageSchema, EventQuerySchema
from gateway.security import STAFF
from gateway.system_auth import require_scope
from gateway.validation import load_query


@api.get("/events")
@require_scope("events:read", *STAFF)
@documented("Public booking events after a position, in order (system tokens with events:read, coordinators)",
            "events", query=EventQuerySchema, response=EventPageSchema)
def list_events():
    query = load_query(EventQuerySchema())
    page = services().call("booking", "public_events_since", query["after"], query["limit"])
    return jsonify({"items": page["items"], "next_after": page["next_after"]})
