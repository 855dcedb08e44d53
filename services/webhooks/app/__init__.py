"""Application layer of the webhooks service (no nameko): subscriptions (subscriptions.py), and the
projection of booking events into deliveries with each endpoint's delivery, its retries and its
circuit breaker (deliveries.py, domain/circuit.py).

Each booking event is applied once, in position order (CheckpointedProjector "webhooks.booking"):
for every active subscription that wants its type, one delivery record keyed
"<subscription id>:<event_id>" is inserted (insert: a replayed event adds nothing). The body is the
event's public projection (services/booking/contract/public.py) serialized once, so every attempt
sends the same bytes; each attempt is signed afresh (IMS-Signature, domain/signing.py) and carries
the event_id as idempotency key. A 2xx marks the delivery delivered (never sent again); anything else
schedules a retry with exponential backoff, up to MAX_ATTEMPTS, then "failed". Endpoints are
independent of each other; within one, deliveries keep position order.

Built by services/webhooks/bootstrap.py (service, CLI and tests alike)."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from ims_common.projection import CheckpointedProjector, parked_count, parked_events
from ims_common.times import utc_now

from .deliveries import DeliveryUseCases
from .records import DELIVERIES, ENDPOINTS, PROJECTOR, SUBSCRIPTIONS
from .subscriptions import SubscriptionUseCases

Send = Callable[[str, bytes, dict, float], int]


class WebhooksApp(SubscriptionUseCases, DeliveryUseCases):
    """The state every use case shares; the use cases are the methods of the classes above.
    `send(url, body, headers, timeout) -> status` is the HTTP adapter; `networks` the internal
    networks endpoints may be registered in."""

    def __init__(self, doc_store, send: Send, clock: Callable[[], datetime] = utc_now, networks: tuple = ()):
        self.docs = doc_store
        self.clock = clock
        self.send = send
        self.networks = networks
        self.projector = CheckpointedProjector(doc_store, PROJECTOR, self._apply)
        for collection, fields in ((DELIVERIES, ["subscription_id", "status", "position"]),
                                   (DELIVERIES, ["subscription_id", "position"]), (SUBSCRIPTIONS, ["owner"]),
                                   (SUBSCRIPTIONS, ["active", "created_at"])):
            doc_store.ensure_index(collection, fields)

    def parked(self) -> list[dict]:
        return parked_events(self.docs)

    def health(self) -> dict:
        return {"service": "webhooks", "ok": True, "checkpoint": self.projector.checkpoint(),
                "pending": self.docs.count(DELIVERIES, {"status": "pending"}),
                "paused_endpoints": self.docs.count(ENDPOINTS, {"paused": True}), "parked": parked_count(self.docs)}


__all__ = ["WebhooksApp"]
