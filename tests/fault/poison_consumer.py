"""A consumer of booking events, shaped like payroll and notification (same projector, same handler
and catch-up), whose handler fails on every booking created with comments "POISON": the fault suite
runs it to show that a poison event is parked and visible, and blocks nothing."""
from __future__ import annotations

import eventlet
from nameko.events import SERVICE_POOL, event_handler
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

from ims_common.nameko_ext import Runtime
from ims_common.projection import CheckpointedProjector
from ims_common.received_log import ReceivedLog

MAX_ATTEMPTS = 3


class PoisonApp:
    def __init__(self, doc_store):
        self.received_log = ReceivedLog(doc_store)
        self.projector = CheckpointedProjector(doc_store, "booking", self._apply, max_attempts=MAX_ATTEMPTS)

    def _apply(self, event):
        if event.type == "BookingCreated" and event.data.get("comments") == "POISON":
            raise ValueError(f"cannot handle {event.stream_id}")
        self.received_log.record(event)


class PoisonConsumer:
    name = "poison_consumer"

    app = Runtime("poison_consumer", lambda stores: PoisonApp(stores.doc_store), publishes=False)
    booking = RpcProxy("booking")

    @event_handler("booking", "#", handler_type=SERVICE_POOL, reliable_delivery=True)
    def on_booking_event(self, envelope):
        self.app.projector.on_event(envelope, self.booking.events_since)

    @timer(interval=1)
    def catch_up(self):
        try:
            with eventlet.Timeout(30):
                self.app.projector.catch_up(self.booking.events_since)
        except (Exception, eventlet.Timeout):
            pass  # counted by the projector; retried on the next tick

    @rpc
    def received(self):
        return self.app.received_log.list()

    @rpc
    def parked(self):
        return self.app.projector.parked()

    @rpc
    def health(self):
        return {"service": self.name, "ok": True, "checkpoint": self.app.projector.checkpoint(),
                "parked": len(self.app.projector.parked())}
