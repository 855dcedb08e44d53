"""GET /api/v1/events: the public booking events after a position, in order, paged (catch-up for
outside systems: docs/events/README.md). System tokens with scope events:read, and coordinators. The
booking's context category only for a system token also granted events:context (opt-in, issue 18)."""
from __future__ import annotations

from flask import jsonify

from gateway.api import api, services
from gateway.errors import ApiError
from gateway.openapi import documented
from gateway.schemas.events import EventPageSchema, EventQuerySchema
from gateway.security import STAFF, actor
from gateway.system_auth import require_scope
from gateway.validation import load_query
from ims_common.errors import ValidationFailed
from services.auth.contract.vocabulary import EVENTS_CONTEXT, EVENTS_READ, SYSTEM


@api.get("/events")
@require_scope(EVENTS_READ, *STAFF)
@documented("Public booking events after a position, in order (system tokens with events:read, coordinators); "
            "a cursor beyond the last position is a 400 (booking.events_after_beyond_last)", "events",
            query=EventQuerySchema, response=EventPageSchema)
def list_events():
    query = load_query(EventQuerySchema())
    try:
        page = services().call("booking", "public_events_since", query["after"], query["limit"], granted_context())
    except ValidationFailed as refused:
        # A cursor beyond the last position is the client's mistake, not a state of ours: a 400 (issue 18),
        # never an empty page that would make the client believe it is up to date.
        raise ApiError(400, refused.code, refused.params, refused.fields) from refused
    return jsonify({"items": page["items"], "next_after": page["next_after"]})


def granted_context() -> bool:
    """A system token granted events:context reads the context category; nobody else does."""
    who = actor()
    return who.get("role") == SYSTEM and EVENTS_CONTEXT in (who.get("scopes") or [])
