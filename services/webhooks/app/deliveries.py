"""Booking events into deliveries (the public projection, once per subscription and event), and the
delivery of one endpoint's backlog: signed POSTs through the HTTP adapter, in position order.

Endpoints are independent: `endpoints_due()` names those with something to send now, and
`deliver_endpoint(id)` sends one endpoint's backlog; the service runs one worker per endpoint at a
time (ims_common.nameko_ext.KeyedWorkers), so an endpoint that never answers holds up only its own
deliveries. Per endpoint the order is kept: a delivery waits until the one before it was delivered
or failed for good. The head is retried after 5 s, 10 s, 20 s… (capped at an hour) up to
MAX_ATTEMPTS, then failed; an endpoint failing FAILURES_TO_PAUSE times in a row is paused, then
probed (domain/circuit.py). Processes side by side take turns per endpoint (its store lock)."""
from __future__ import annotations

import json
import logging

from ims_common.docstore.port import DuplicateKeyError
from ims_common.envelope import StoredEvent
from ims_common.projection import Fetch
from ims_common.times import iso_z
from services.booking.contract.public import public_event
from services.webhooks.domain import circuit as breaker
from services.webhooks.domain import signing
from services.webhooks.domain.subscriptions import MAX_ATTEMPTS, retry_delay, wants

from .records import DELIVERIES, ENDPOINTS, SUBSCRIPTIONS, at

log = logging.getLogger(__name__)
SEND_TIMEOUT = 10
BATCH = 50
DELIVERED, RETRY, FAILED = "delivered", "retry", "failed"


class DeliveryUseCases:
    def on_booking_event(self, envelope: dict, fetch: Fetch) -> None:
        self.projector.on_event(envelope, fetch)

    def catch_up(self, fetch: Fetch) -> int:
        return self.projector.catch_up(fetch)

    def _apply(self, event: StoredEvent) -> None:
        envelope = event.to_dict()
        published = public_event(envelope)
        if published is None:
            return                   # outside the public contract: never leaves IMS
        # The context category only for subscriptions that asked for it with the grant (issue 18).
        bodies = {granted: json.dumps(public_event(envelope, context=granted), ensure_ascii=False,
                                      separators=(",", ":"), sort_keys=True) for granted in (False, True)}
        now = self.clock()
        for sub in self.docs.find(SUBSCRIPTIONS, {"active": True}):
            if not wants(sub, event.type) or event.position <= int(sub.get("from_position") or 0):
                continue
            body = bodies[sub.get("context") is True]
            key = f"{sub['id']}:{event.event_id}"
            try:
                self.docs.insert(DELIVERIES, key, {
                    "id": key, "subscription_id": sub["id"], "event_id": event.event_id, "type": event.type,
                    "position": event.position, "body": body, "status": "pending", "attempts": 0,
                    "queued_at": iso_z(now),
                    "next_attempt_ts": now.timestamp(), "next_attempt_at": iso_z(now),
                    "last_status_code": None, "last_error": None, "delivered_at": None})
            except DuplicateKeyError:
                pass                 # replayed event: already queued (or delivered)

    # ---- sending ------------------------------------------------------------------------------

    def _circuit(self, sub_id: str) -> dict:
        """The endpoint's circuit (domain/circuit.py), closed when it never failed."""
        return self.docs.get(ENDPOINTS, sub_id) or breaker.closed()

    def _head(self, sub_id: str) -> dict | None:
        found = self.docs.find(DELIVERIES, {"subscription_id": sub_id, "status": "pending"},
                               order_by=[("position", 1)], limit=1)
        return found[0] if found else None

    def endpoints_due(self) -> list[str]:
        """Active subscriptions with a delivery to attempt now: their head is due and the endpoint
        is not paused (or its probe is due)."""
        now = self.clock().timestamp()
        due = []
        for sub in self.docs.find(SUBSCRIPTIONS, {"active": True}, order_by=[("created_at", 1)]):
            circuit = self._circuit(sub["id"])
            if not breaker.probe_due(circuit, now):
                continue
            head = self._head(sub["id"])
            if head and (circuit.get("paused") or float(head["next_attempt_ts"] or 0) <= now):
                due.append(sub["id"])
        return due

    def deliver_endpoint(self, sub_id: str, limit: int = BATCH) -> int:
        """Sends the endpoint's due backlog, in order, up to `limit`; returns how many were
        delivered. Nothing when another worker (of this process or another) has the endpoint."""
        with self.docs.lock(f"webhooks.endpoint.{sub_id.lower()}").attempt() as ours:
            if not ours:
                return 0
            sub = self.docs.get(SUBSCRIPTIONS, sub_id)
            if sub is None or not sub.get("active"):
                return 0
            delivered = 0
            for _ in range(limit):
                circuit, now = self._circuit(sub_id), self.clock().timestamp()
                head = self._head(sub_id)
                if head is None or not breaker.probe_due(circuit, now) or (
                        not circuit.get("paused") and float(head["next_attempt_ts"] or 0) > now):
                    break
                outcome = self._attempt(head, sub, circuit)
                if outcome == DELIVERED:
                    delivered += 1
                elif outcome == RETRY or self._circuit(sub_id).get("paused"):
                    break
            return delivered

    def deliver_due(self) -> int:
        """Every due endpoint, one after the other (the CLI and tests; the service runs them side
        by side)."""
        return sum(self.deliver_endpoint(sub_id) for sub_id in self.endpoints_due())

    def _attempt(self, delivery: dict, sub: dict, circuit: dict) -> str:
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
            if circuit.get("failures"):
                self._set_circuit(sub["id"], breaker.after_success(circuit))
            return DELIVERED
        circuit = breaker.after_failure(circuit, now.timestamp())
        self._set_circuit(sub["id"], circuit)
        if attempt >= MAX_ATTEMPTS:
            delivery.update(status="failed", next_attempt_ts=None, next_attempt_at=None)
            outcome = FAILED
        else:
            due = now.timestamp() + retry_delay(attempt)
            if circuit["paused"]:
                due = max(due, float(circuit["probe_at"]))
            delivery.update(next_attempt_ts=due, next_attempt_at=at(due))
            outcome = RETRY
        self.docs.put(DELIVERIES, delivery["id"], delivery)
        log.info("webhook delivery %s failed (attempt %s): %s%s", delivery["id"], attempt, error or status,
                 "; endpoint paused" if circuit["paused"] else "")
        return outcome

    def _set_circuit(self, sub_id: str, circuit: dict) -> None:
        self.docs.put(ENDPOINTS, sub_id, dict(circuit, subscription_id=sub_id))

    def resume(self, actor: dict, sub_id) -> dict:
        """An operator's command: a paused endpoint is probed now."""
        doc = self._visible(actor, sub_id)
        with self.docs.lock(f"webhooks.endpoint.{doc['id'].lower()}"):
            circuit = breaker.resumed(self._circuit(doc["id"]), self.clock().timestamp())
            self._set_circuit(doc["id"], circuit)
            head = self._head(doc["id"])
            if head is not None:
                now = self.clock().timestamp()
                self.docs.put(DELIVERIES, head["id"], dict(head, next_attempt_ts=now, next_attempt_at=at(now)))
        return self.subscription(actor, doc["id"])
