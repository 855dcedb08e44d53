"""The notification nameko service: a thin shell over NotificationApp."""
from __future__ import annotations

import logging

import eventlet

from nameko.events import SERVICE_POOL, event_handler
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

from ims_common.nameko_ext import Runtime
from services.notification.app import NotificationApp

log = logging.getLogger(__name__)
CATCH_UP_TIMEOUT = 60


class NotificationService:
    name = "notification"

    app = Runtime("notification", lambda stores: NotificationApp(stores.doc_store), publishes=False)
    booking = RpcProxy("booking")

    # A durable queue bound to every booking event; failures leave the checkpoint behind, and the
    # catch-up below retries from the event store, so nothing is lost.
    @event_handler("booking", "#", handler_type=SERVICE_POOL, reliable_delivery=True)
    def on_booking_event(self, envelope):
        self.app.on_booking_event(envelope, self.booking.events_since)

    # Catch up soon after start and regularly: events published while this service was down, or
    # lost. Not eager: an RPC sent before the reply queue exists would wait forever for its answer.
    @timer(interval=2)
    def catch_up(self):
        try:
            with eventlet.Timeout(CATCH_UP_TIMEOUT):
                self.app.catch_up(self.booking.events_since)
        except (Exception, eventlet.Timeout):
            log.warning("catch-up from booking failed; will retry", exc_info=True)

    @rpc
    def received(self, stream_id=None):
        return self.app.received(stream_id)

    @rpc
    def health(self):
        return self.app.health()
