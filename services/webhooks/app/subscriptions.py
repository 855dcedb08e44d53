"""Subscriptions: coordinators and admins manage them all, an outside system (a system token) its
own; an endpoint must be a public address (or in an allowed network); the secret is shown once."""
from __future__ import annotations

import secrets
import uuid

from ims_common.errors import Forbidden, NotFound, ValidationFailed
from ims_common.times import iso_z
from services.auth.contract.vocabulary import STAFF, SYSTEM
from services.booking.contract.events import CURRENT
from services.webhooks.domain.subscriptions import can_manage, check_url

from .records import DELIVERIES, SUBSCRIPTIONS, public_delivery, public_subscription

MAX_PER_OWNER = 20
MANAGERS = STAFF + (SYSTEM,)


class SubscriptionUseCases:
    def create_subscription(self, actor: dict, fields: dict) -> dict:
        if (actor or {}).get("role") not in MANAGERS:
            raise Forbidden("auth.forbidden")
        fields = fields if isinstance(fields, dict) else {}
        errors = {}
        url = check_url(fields.get("url"), self.networks)
        if url is None:
            errors["url"] = ["field.invalid_format"]
        types = fields.get("event_types")
        if types is not None and (not isinstance(types, list) or not types
                                  or any(t not in CURRENT for t in types)):
            errors["event_types"] = ["field.invalid"]
        description = fields.get("description")
        if description is not None and (not isinstance(description, str) or len(description) > 200):
            errors["description"] = ["field.invalid"]
        if errors:
            raise ValidationFailed("request.invalid", {"fields": ", ".join(errors)}, errors)
        if self.docs.count(SUBSCRIPTIONS, {"owner": actor["user_id"], "active": True}) >= MAX_PER_OWNER:
            raise ValidationFailed("request.invalid", {"fields": "url"}, {"url": ["field.too_many"]})
        sub_id = "wh_" + uuid.uuid4().hex
        doc = {"id": sub_id, "url": url, "event_types": sorted(set(types)) if types else None,
               "description": description, "owner": actor["user_id"], "active": True,
               "created_at": iso_z(self.clock()), "secret": "whsec_" + secrets.token_urlsafe(32),
               # events up to here are history (GET /api/v1/events); deliveries start after it
               "from_position": self.projector.checkpoint()}
        self.docs.put(SUBSCRIPTIONS, sub_id, doc)
        return dict(public_subscription(doc), secret=doc["secret"])

    def _visible(self, actor: dict, sub_id) -> dict:
        doc = self.docs.get(SUBSCRIPTIONS, sub_id) if isinstance(sub_id, str) and len(sub_id) <= 64 else None
        if doc is None or not doc.get("active") or not can_manage(actor, doc):
            raise NotFound("not_found", {"id": sub_id})
        return doc

    def list_subscriptions(self, actor: dict) -> list[dict]:
        role = (actor or {}).get("role")
        if role not in MANAGERS:
            raise Forbidden("auth.forbidden")
        where = {"active": True} if role != SYSTEM else {"active": True, "owner": actor["user_id"]}
        return [public_subscription(d) for d in self.docs.find(SUBSCRIPTIONS, where, order_by=[("created_at", 1)])]

    def delete_subscription(self, actor: dict, sub_id) -> dict:
        doc = self._visible(actor, sub_id)
        doc.update(active=False, deleted_at=iso_z(self.clock()), deleted_by=actor["user_id"])
        self.docs.put(SUBSCRIPTIONS, doc["id"], doc)
        for delivery in self.docs.find(DELIVERIES, {"subscription_id": doc["id"], "status": "pending"}):
            delivery.update(status="cancelled", next_attempt_ts=None, next_attempt_at=None)
            self.docs.put(DELIVERIES, delivery["id"], delivery)
        return public_subscription(doc)

    def deliveries(self, actor: dict, sub_id, query: dict | None = None) -> list[dict]:
        doc = self._visible(actor, sub_id)
        query = query or {}
        where = {"subscription_id": doc["id"]}
        if query.get("status") in ("pending", "delivered", "failed", "cancelled"):
            where["status"] = query["status"]
        limit = query.get("limit") if isinstance(query.get("limit"), int) else 100
        return [public_delivery(d) for d in self.docs.find(
            DELIVERIES, where, order_by=[("position", -1)], limit=max(1, min(limit, 1000)))]

    def retry_failed(self, actor: dict, sub_id) -> dict:
        """Puts the subscription's failed deliveries back to pending, due now (an operator's command)."""
        doc = self._visible(actor, sub_id)
        failed = self.docs.find(DELIVERIES, {"subscription_id": doc["id"], "status": "failed"})
        for delivery in failed:
            delivery.update(status="pending", attempts=0, next_attempt_ts=0, next_attempt_at=None)
            self.docs.put(DELIVERIES, delivery["id"], delivery)
        return {"requeued": len(failed)}
