"""Booking events into deliveries (the public projection, once per subscription and event), and the
delivery loop: signed POSTs through the HTTP adapter, retried with backoff, then failed."""
from __future__ import annotations

import json
import logging

from ims_common.docstore.port import DuplicateKeyError
from ims_common.envelope import StoredEvent
from ims_common.projection import Fetch
from ims_common.times import iso_z
from services.booking.contract.public import public_event
from services.webhooks.domain import signing
from services.webhooks.domain.subscriptions import MAX_ATTEMPTS, retry_delay, wants

from .records import DELIVERIES, SUBSCRIPTIONS, at

log = logging.getLogger(__name__)
SEND_TIMEOUT = 10
BATCH = 50


class DeliveryUseCases:
    def on_booking_event(self, envelope: dict, fetch: Fetch) -> None:
        self.projector.on_event(envelope, fetch)

    def catch_up(self, fetch: Fetch) -> int:
        return self.projector.catch_up(fetch)

    def _apply(self, event: StoredEvent) -> None:
        published = public_event(event.to_dict())
        if published is None:
            return                   # outside the public contract: never leaves IMS
        body = json.dumps(published, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        now = self.clock()
        for sub in self.docs.find(SUBSCRIPTIONS, {"active": True}):
            if not wants(sub, event.type) or event.position <= int(sub.get("from_position") or 0):
                continue
            key = f"{sub['id']}:{event.event_id}"
            try:
                self.docs.insert(DELIVERIES, key, {
                    "id": key, "subscription_id": sub["id"], "event_id": event.event_id, "type": event.type,
                    "position": event.position, "body": body, "status": "pending", "attempts": 0,
                    "next_attempt_ts": now.timestamp(), "next_attempt_at": iso_z(now),
                    "last_status_code": None, "last_error": None, "delivered_at": None})
            except DuplicateKeyError:
                pass                 # replayed event: already queued (or delivered)

    def deliver_due(self, limit: int = BATCH) -> int:
        """Attempts the pending deliveries that are due, oldest event first; returns how many were
        delivered. One run at a time per process."""
        if not self._delivering.acquire(blocking=False):
            return 0
        try:
            now = self.clock()
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
                   signing.HEADER: signing.sign(sub["secret"], body, self.clock().timestamp()),
                   "IMS-Event-Id": delivery["event_id"], "IMS-Event-Type": delivery["type"],
                   "Idempotency-Key": delivery["event_id"], "IMS-Delivery-Attempt": str(attempt)}
        status, error = None, None
        try:
            status = self.send(sub["url"], body, headers, SEND_TIMEOUT)
        except Exception as exc:   # connection refused, timeout, TLS, a refused address…: retried
            error = f"{type(exc).__name__}: {exc}"[:500]
        now = self.clock()
        delivery.update(attempts=attempt, last_status_code=status, last_error=error)
        if status is not None and 200 <= status < 300:
            delivery.update(status="delivered", delivered_at=iso_z(now), next_attempt_ts=None, next_attempt_at=None)
            self.docs.put(DELIVERIES, delivery["id"], delivery)
            return 1
        if attempt >= MAX_ATTEMPTS:
            delivery.update(status="failed", next_attempt_ts=None, next_attempt_at=None)
        else:
            due = now.timestamp() + retry_delay(attempt)
            delivery.update(next_attempt_ts=due, next_attempt_at=at(due))
        self.docs.put(DELIVERIES, delivery["id"], delivery)
        log.info("webhook delivery %s failed (attempt %s): %s", delivery["id"], attempt, error or status)
        return 0
