"""An item's current state from its events, after upcasting: the one fold of reference items, used by
the reference service itself and by every consumer's copy (copy.py)."""
from __future__ import annotations

from . import events as E


def actor_summary(actor: dict | None) -> dict:
    actor = actor or {}
    return {"user_id": actor.get("user_id"), "role": actor.get("role"), "name": actor.get("name") or ""}


def apply(state: dict | None, envelope: dict) -> dict | None:
    """The item after one event (envelope as a dict: type, data, stream_version, occurred_at, actor).
    Types outside the contract change nothing. Returns a new dict."""
    envelope = E.upcast(envelope)
    event_type, data = envelope.get("type"), envelope.get("data") or {}
    if event_type == E.CREATED:
        item = {**(data.get("item") or {}), "kind": data.get("kind"), "id": data.get("id"), "active": True,
                "deactivation_reason": None, "created_at": envelope.get("occurred_at")}
    elif state is None or event_type not in E.TYPES:
        return state
    elif event_type == E.CHANGED:
        item = {**state, **(data.get("item") or {})}
    elif event_type == E.DEACTIVATED:
        item = {**state, "active": False, "deactivation_reason": data.get("reason")}
    else:
        item = {**state, "active": True, "deactivation_reason": None}
    item["version"] = envelope.get("stream_version")
    item["updated_at"] = envelope.get("occurred_at")
    item["updated_by"] = actor_summary(envelope.get("actor"))
    return item


def fold(envelopes) -> dict | None:
    state = None
    for envelope in envelopes:
        state = apply(state, envelope)
    return state
