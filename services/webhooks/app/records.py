"""The collections of the webhooks service's store and what of each record the RPC shows."""
from __future__ import annotations

from datetime import datetime, timezone

from ims_common.times import iso_z

SUBSCRIPTIONS = "webhook_subscriptions"
DELIVERIES = "webhook_deliveries"
PROJECTOR = "webhooks.booking"


def public_subscription(doc: dict) -> dict:
    return {k: doc.get(k) for k in ("id", "url", "event_types", "description", "owner", "active", "created_at")}


def public_delivery(doc: dict) -> dict:
    return {k: doc.get(k) for k in ("id", "subscription_id", "event_id", "type", "position", "status", "attempts",
                                    "next_attempt_at", "last_status_code", "last_error", "delivered_at")}


def at(timestamp: float) -> str:
    return iso_z(datetime.fromtimestamp(timestamp, timezone.utc))
