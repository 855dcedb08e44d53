"""Subscriptions: coordinators and admins manage them all, an outside system (a system token) its
own; an endpoint must be a public address (or in an allowed network); the secret is shown once. A
deleted subscription stops receiving; its delivery history stays readable."""
from __future__ import annotations

import secrets
import uuid

from ims_common.errors import Forbidden, NotFound, ValidationFailed
from ims_common.times import iso_z
from services.auth.contract.vocabulary import STAFF, SYSTEM
from services.booking.contract.events import CURRENT
from services.webhooks.domain.subscriptions import can_manage, check_url, may_receive_context

from .records import DELIVERIES, ENDPOINTS, SUBSCRIPTIONS, endpoint_state, public_delivery, public_subscription

MAX_PER_OWNER = 20
MANAGERS = STAFF + (SYSTEM,)
DELIVERY_STATUSES = ("pending", "delivered", "failed", "cancelled")


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
        context = fields.get("context")
        context = False if context is None else context
        if not isinstance(context, bool):
            errors["context"] = ["field.invalid"]
        if errors:
            raise ValidationFailed("request.invalid", {"fields": ", ".join(errors)}, errors)
        if context and not may_receive_context(actor):
            raise Forbidden("auth.forbidden")    # context asked for without the grant
        if self.docs.count(SUBSCRIPTIONS, {"owner": actor["user_id"], "active": True}) >= MAX_PER_OWNER:
            raise ValidationFailed("request.invalid", {"fields": "url"}, {"url": ["field.too_many"]})
        sub_id = "wh_" + uuid.uuid4().hex
        # Under the projector's lock (every process's): no event is being applied while the
        # subscription takes the checkpoint as its start, so none is missed nor sent twice.
        with self.projector.lock:
            doc = {"id": sub_id, "url": url, "event_types": sorted(set(types)) if types else None,
                   "description": description, "owner": actor["user_id"], "active": True,
                   # the booking's context category in its deliveries: asked for, and granted (above)
                   "context": context,
                   "created_at": iso_z(self.clock()), "secret": "whsec_" + secrets.token_urlsafe(32),
                   # events up to here are history (GET /api/v1/events); deliveries start after it
                   "from_position": self.projector.checkpoint()}
            self.docs.put(SUBSCRIPTIONS, sub_id, doc)
        return dict(self._view(doc), secret=doc["secret"])

    def _visible(self, actor: dict, sub_id, deleted_too: bool = False) -> dict:
        if (actor or {}).get("role") not in MANAGERS:
            raise Forbidden("auth.forbidden")
        doc = self.docs.get(SUBSCRIPTIONS, sub_id) if isinstance(sub_id, str) and len(sub_id) <= 64 else None
        if doc is None or not (doc.get("active") or deleted_too) or not can_manage(actor, doc):
            raise NotFound("not_found", {"id": sub_id})
        return doc

    def _view(self, doc: dict) -> dict:
        """The subscription with its endpoint's state: paused or not, backlog (pending deliveries)."""
        backlog = self.docs.count(DELIVERIES, {"subscription_id": doc["id"], "status": "pending"})
        return dict(public_subscription(doc), **endpoint_state(self._circuit(doc["id"]), backlog,
                                                               self._head(doc["id"]) if backlog else None))

    def subscription(self, actor: dict, sub_id) -> dict:
        """One subscription, deleted ones too (their history stays)."""
        return self._view(self._visible(actor, sub_id, deleted_too=True))

    def list_subscriptions(self, actor: dict) -> list[dict]:
        role = (actor or {}).get("role")
        if role not in MANAGERS:
            raise Forbidden("auth.forbidden")
        where = {"active": True} if role != SYSTEM else {"active": True, "owner": actor["user_id"]}
        return [self._view(d) for d in self.docs.find(SUBSCRIPTIONS, where, order_by=[("created_at", 1)])]

    def delete_subscription(self, actor: dict, sub_id) -> dict:
        doc = self._visible(actor, sub_id)
        doc.update(active=False, deleted_at=iso_z(self.clock()), deleted_by=actor["user_id"])
        self.docs.put(SUBSCRIPTIONS, doc["id"], doc)
        for delivery in self.docs.find(DELIVERIES, {"subscription_id": doc["id"], "status": "pending"}):
            delivery.update(status="cancelled", next_attempt_ts=None, next_attempt_at=None)
            self.docs.put(DELIVERIES, delivery["id"], delivery)
        self.docs.delete(ENDPOINTS, doc["id"])       # nothing to pause or probe any more
        return self._view(doc)

    def deliveries(self, actor: dict, sub_id, query: dict | None = None) -> list[dict]:
        """Newest first; a deleted subscription's too."""
        doc = self._visible(actor, sub_id, deleted_too=True)
        query = query or {}
        where = {"subscription_id": doc["id"]}
        if query.get("status") in DELIVERY_STATUSES:
            where["status"] = query["status"]
        limit = query.get("limit") if isinstance(query.get("limit"), int) else 100
        return [public_delivery(d) for d in self.docs.find(
            DELIVERIES, where, order_by=[("position", -1)], limit=max(1, min(limit, 1000)))]

    def retry_failed(self, actor: dict, sub_id) -> dict:
        """Puts the subscription's failed deliveries back to pending, due now (an operator's command);
        they go out before the later ones, in position order."""
        doc = self._visible(actor, sub_id)
        failed = self.docs.find(DELIVERIES, {"subscription_id": doc["id"], "status": "failed"})
        for delivery in failed:
            delivery.update(status="pending", attempts=0, next_attempt_ts=0, next_attempt_at=None)
            self.docs.put(DELIVERIES, delivery["id"], delivery)
        return {"requeued": len(failed)}
