"""The collections of the webhooks service's store and what of each record the RPC shows."""
from __future__ import annotations

from datetime import datetime, timezone

from ims_common.times import iso_z

SUBSCRIPTIONS = "webhook_subscriptions"
DELIVERIES = "webhook_deliveries"
ENDPOINTS = "webhook_endpoints"          # each endpoint's circuit (domain/circuit.py), its worker's only
PROJECTOR = "webhooks.booking"


def public_subscription(doc: dict) -> dict:
    view = {k: doc.get(k) for k in ("id", "url", "event_types", "description", "owner", "active", "created_at",
                                    "deleted_at")}
    view["context"] = bool(doc.get("context"))    # older subscriptions: never asked, never given
    return view


def endpoint_state(circuit: dict, backlog: int, oldest: dict | None) -> dict:
    """What a subscriber and an operator see of an endpoint's deliveries."""
    paused = bool(circuit.get("paused"))
    return {"paused": paused, "paused_since": at(circuit["paused_since"]) if paused else None,
            "next_probe_at": at(circuit["probe_at"]) if paused else None,
            "consecutive_failures": int(circuit.get("failures") or 0), "backlog": backlog,
            "oldest_pending_since": oldest.get("queued_at") if oldest and backlog else None,
            "oldest_pending_position": oldest.get("position") if oldest and backlog else None}


def public_delivery(doc: dict) -> dict:
    return {k: doc.get(k) for k in ("id", "subscription_id", "event_id", "type", "position", "status", "attempts",
                                    "next_attempt_at", "last_status_code", "last_error", "delivered_at")}


def at(timestamp: float) -> str:
    return iso_z(datetime.fromtimestamp(timestamp, timezone.utc))
