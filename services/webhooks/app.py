"""Application layer of the webhooks service (no nameko): subscriptions, the projection of booking
events into deliveries, and the delivery loop with retries.

Each booking event is applied once, in position order (CheckpointedProjector "webhooks.booking"):
for every active subscription that wants its type, one delivery record keyed
"<subscription id>:<event_id>" is inserted (insert: a replayed event adds nothing). The body is the
event's public projection (services/booking/contract/public.py) serialized once, so every attempt
sends the same bytes; each attempt is signed afresh (IMS-Signature, domain/signing.py) and carries
the event_id as idempotency key. A 2xx marks the delivery delivered (never sent again); anything else
schedules a retry with exponential backoff, up to MAX_ATTEMPTS, then "failed"."""
from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone
from typing import Callable, Optional
from urllib.parse import urlsplit

from ims_common.docstore.port import DuplicateKeyError
from ims_common.envelope import StoredEvent
from ims_common.errors import Forbidden, NotFound, ValidationFailed
from ims_common.projection import CheckpointedProjector, Fetch
from services.booking.contract.public import public_event
from services.booking.contract.events import CURRENT
from services.webhooks.domain import signing
from services.webhooks.domain.subscriptions import (MAX_ATTEMPTS, address_allowed, can_manage, check_url,
                                                    parse_networks, retry_delay, wants)

log = logging.getLogger(__name__)

SUBSCRIPTIONS = "webhook_subscriptions"
DELIVERIES = "webhook_deliveries"
PROJECTOR = "webhooks.booking"
SEND_TIMEOUT = 10
BATCH = 50
MAX_PER_OWNER = 20


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):   # a redirect is an answer, never followed
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class BlockedAddress(OSError):
    """The endpoint's name resolves to an address deliveries may not reach (domain/subscriptions.py)."""


def allowed_networks() -> tuple:
    return parse_networks(os.environ.get("WEBHOOKS_ALLOWED_NETWORKS"))


def check_resolved(url: str, networks: tuple) -> None:
    """Raises BlockedAddress unless every address the endpoint's host resolves to is allowed (a name
    pointing at 169.254.169.254 or 10.x must not turn deliveries into probes of the internal network)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)}
    refused = sorted(a for a in addresses if not address_allowed(a, networks))
    if refused:
        raise BlockedAddress(f"{parts.hostname} resolves to a non-public address ({', '.join(refused)})")


def http_post(url: str, body: bytes, headers: dict, timeout: float) -> int:
    """POSTs and returns the HTTP status (a connection failure or a refused address raises)."""
    check_resolved(url, allowed_networks())
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _public_subscription(doc: dict) -> dict:
    return {k: doc.get(k) for k in ("id", "url", "event_types", "description", "owner", "active", "created_at")}


def _public_delivery(doc: dict) -> dict:
    return {k: doc.get(k) for k in ("id", "subscription_id", "event_id", "type", "position", "status", "attempts",
                                    "next_attempt_at", "last_status_code", "last_error", "delivered_at")}


class WebhooksApp:
    def __init__(self, doc_store, clock: Optional[Callable[[], datetime]] = None,
                 send: Callable[[str, bytes, dict, float], int] = http_post):
        self.docs = doc_store
        self.clock = clock or _utc_now
        self.send = send
        self.projector = CheckpointedProjector(doc_store, PROJECTOR, self._apply)
        self._delivering = threading.Lock()
        for collection, fields in ((DELIVERIES, ["status", "next_attempt_ts"]),
                                   (DELIVERIES, ["subscription_id", "position"]), (SUBSCRIPTIONS, ["owner"])):
            doc_store.ensure_index(collection, fields)

    # --- subscriptions --------------------------------------------------------------------------

    def create_subscription(self, actor: dict, fields: dict) -> dict:
        if (actor or {}).get("role") not in ("coordinator", "admin", "system"):
            raise Forbidden("auth.forbidden")
        fields = fields if isinstance(fields, dict) else {}
        errors = {}
        url = check_url(fields.get("url"), allowed_networks())
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
               "created_at": _iso(self._now()), "secret": "whsec_" + secrets.token_urlsafe(32),
               # events up to here are history (GET /api/v1/events); deliveries start after it
               "from_position": self.projector.checkpoint()}
        self.docs.put(SUBSCRIPTIONS, sub_id, doc)
        return dict(_public_subscription(doc), secret=doc["secret"])

    def _visible(self, actor: dict, sub_id) -> dict:
        doc = self.docs.get(SUBSCRIPTIONS, sub_id) if isinstance(sub_id, str) and len(sub_id) <= 64 else None
        if doc is None or not doc.get("active") or not can_manage(actor, doc):
            raise NotFound("not_found", {"id": sub_id})
        return doc

    def list_subscriptions(self, actor: dict) -> list[dict]:
        role = (actor or {}).get("role")
        if role not in ("coordinator", "admin", "system"):
            raise Forbidden("auth.forbidden")
        where = {"active": True} if role != "system" else {"active": True, "owner": actor["user_id"]}
        return [_public_subscription(d) for d in self.docs.find(SUBSCRIPTIONS, where, order_by=[("created_at", 1)])]

    def delete_subscription(self, actor: dict, sub_id) -> dict:
        doc = self._visible(actor, sub_id)
        doc.update(active=False, deleted_at=_iso(self._now()), deleted_by=actor["user_id"])
        self.docs.put(SUBSCRIPTIONS, doc["id"], doc)
        for delivery in self.docs.find(DELIVERIES, {"subscription_id": doc["id"], "status": "pending"}):
            delivery.update(status="cancelled", next_attempt_ts=None, next_attempt_at=None)
            self.docs.put(DELIVERIES, delivery["id"], delivery)
        return _public_subscription(doc)

    def deliveries(self, actor: dict, sub_id, query: dict | None = None) -> list[dict]:
        doc = self._visible(actor, sub_id)
        query = query or {}
        where = {"subscription_id": doc["id"]}
        if query.get("status") in ("pending", "delivered", "failed", "cancelled"):
            where["status"] = query["status"]
        limit = query.get("limit") if isinstance(query.get("limit"), int) else 100
        return [_public_delivery(d) for d in self.docs.find(
            DELIVERIES, where, order_by=[("position", -1)], limit=max(1, min(limit, 1000)))]

    # --- booking events -> deliveries -----------------------------------------------------------

    def on_booking_event(self, envelope: dict, fetch: Fetch) -> None:
        self.projector.on_event(envelope, fetch)

    def catch_up(self, fetch: Fetch) -> int:
        return self.projector.catch_up(fetch)

    def _apply(self, event: StoredEvent) -> None:
        published = public_event(event.to_dict())
        if published is None:
            return                   # outside the public contract: never leaves IMS
        body = json.dumps(published, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        now = self._now()
        for sub in self.docs.find(SUBSCRIPTIONS, {"active": True}):
            if not wants(sub, event.type) or event.position <= int(sub.get("from_position") or 0):
                continue
            key = f"{sub['id']}:{event.event_id}"
            try:
                self.docs.insert(DELIVERIES, key, {
                    "id": key, "subscription_id": sub["id"], "event_id": event.event_id, "type": event.type,
                    "position": event.position, "body": body, "status": "pending", "attempts": 0,
                    "next_attempt_ts": now.timestamp(), "next_attempt_at": _iso(now),
                    "last_status_code": None, "last_error": None, "delivered_at": None})
            except DuplicateKeyError:
                pass                 # replayed event: already queued (or delivered)

    # --- sending --------------------------------------------------------------------------------

    def deliver_due(self, limit: int = BATCH) -> int:
        """Attempts the pending deliveries that are due, oldest event first; returns how many were
        delivered. One run at a time per process."""
        if not self._delivering.acquire(blocking=False):
            return 0
        try:
            now = self._now()
            due = self.docs.find(DELIVERIES, {"status": "pending", "next_attempt_ts": {"lte": now.timestamp()}},
                                 order_by=[("position", 1)], limit=limit)
            subs: dict[str, dict | None] = {}
            delivered = 0
            for delivery in due:
                sub_id = delivery["subscription_id"]
                if sub_id not in subs:
                    subs[sub_id] = self.docs.get(SUBSCRIPTIONS, sub_id)
                delivered += self._attempt(delivery, subs[sub_id])
            return delivered
        finally:
            self._delivering.release()

    def _attempt(self, delivery: dict, sub: dict | None) -> int:
        if sub is None or not sub.get("active"):
            delivery.update(status="cancelled", next_attempt_ts=None, next_attempt_at=None)
            self.docs.put(DELIVERIES, delivery["id"], delivery)
            return 0
        body = delivery["body"].encode("utf-8")
        attempt = int(delivery["attempts"]) + 1
        headers = {"Content-Type": "application/json", "User-Agent": "IMS-Webhooks/1",
                   signing.HEADER: signing.sign(sub["secret"], body, self._now().timestamp()),
                   "IMS-Event-Id": delivery["event_id"], "IMS-Event-Type": delivery["type"],
                   "Idempotency-Key": delivery["event_id"], "IMS-Delivery-Attempt": str(attempt)}
        status, error = None, None
        try:
            status = self.send(sub["url"], body, headers, SEND_TIMEOUT)
        except Exception as exc:   # connection refused, timeout, TLS…: retried
            error = f"{type(exc).__name__}: {exc}"[:500]
        now = self._now()
        delivery.update(attempts=attempt, last_status_code=status, last_error=error)
        if status is not None and 200 <= status < 300:
            delivery.update(status="delivered", delivered_at=_iso(now), next_attempt_ts=None, next_attempt_at=None)
            self.docs.put(DELIVERIES, delivery["id"], delivery)
            return 1
        if attempt >= MAX_ATTEMPTS:
            delivery.update(status="failed", next_attempt_ts=None, next_attempt_at=None)
        else:
            at = now.timestamp() + retry_delay(attempt)
            delivery.update(next_attempt_ts=at, next_attempt_at=_iso(datetime.fromtimestamp(at, timezone.utc)))
        self.docs.put(DELIVERIES, delivery["id"], delivery)
        log.info("webhook delivery %s failed (attempt %s): %s", delivery["id"], attempt, error or status)
        return 0

    # --- health ---------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.clock().astimezone(timezone.utc)

    def health(self) -> dict:
        return {"service": "webhooks", "ok": True, "checkpoint": self.projector.checkpoint(),
                "pending": self.docs.count(DELIVERIES, {"status": "pending"})}
