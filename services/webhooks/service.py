"""The webhooks nameko service: a thin shell over WebhooksApp (built by bootstrap.py)."""
from __future__ import annotations

import logging

from nameko.events import SERVICE_POOL, event_handler
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

from ims_common.nameko_ext import KeyedWorkers, Runtime, run_guarded
from services.webhooks import bootstrap

log = logging.getLogger(__name__)
CATCH_UP_TIMEOUT = 60


class WebhooksService:
    name = "webhooks"

    app = Runtime("webhooks", bootstrap.build, publishes=False)
    booking = RpcProxy("booking")
    # One worker per endpoint with something due, side by side (app/deliveries.py).
    endpoints = KeyedWorkers("app", due=lambda app: app.endpoints_due(),
                             work=lambda app, sub_id: app.deliver_endpoint(sub_id))

    # Every booking event (internal exchange); the app keeps only the public projection. Failures
    # leave the checkpoint behind and the catch-up below retries from booking's event store.
    @event_handler("booking", "#", handler_type=SERVICE_POOL, reliable_delivery=True)
    def on_booking_event(self, envelope):
        self.app.on_booking_event(envelope, self.booking.events_since)
        self.endpoints.wake()

    # Not eager: an RPC sent before the reply queue exists would wait forever for its answer.
    @timer(interval=2)
    def catch_up(self):
        run_guarded("catch-up from booking", self.app.catch_up, self.booking.events_since, timeout=CATCH_UP_TIMEOUT)
        self.endpoints.wake()

    @rpc
    def create_subscription(self, actor, fields):
        return self.app.create_subscription(actor, fields)

    @rpc
    def list_subscriptions(self, actor):
        return self.app.list_subscriptions(actor)

    @rpc
    def get_subscription(self, actor, subscription_id):
        return self.app.subscription(actor, subscription_id)

    @rpc
    def delete_subscription(self, actor, subscription_id):
        return self.app.delete_subscription(actor, subscription_id)

    @rpc
    def deliveries(self, actor, subscription_id, query=None):
        return self.app.deliveries(actor, subscription_id, query)

    @rpc
    def parked(self):
        return self.app.parked()

    @rpc
    def health(self):
        return self.app.health()
