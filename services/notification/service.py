"""The notification nameko service: a thin shell over NotificationApp (built, with its settings from
the environment, by bootstrap.py)."""
from __future__ import annotations

import logging

from nameko.events import SERVICE_POOL, event_handler
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

from ims_common.nameko_ext import Runtime, run_guarded
from services.notification import bootstrap

log = logging.getLogger(__name__)
CATCH_UP_TIMEOUT = 60


class NotificationService:
    name = "notification"

    app = Runtime("notification", bootstrap.build_for_service, publishes=False)
    booking = RpcProxy("booking")
    auth = RpcProxy("auth")
    payroll = RpcProxy("payroll")

    # A durable queue bound to every booking event; failures leave the checkpoint behind, and the
    # catch-up below retries from the event store, so nothing is lost.
    @event_handler("booking", "#", handler_type=SERVICE_POOL, reliable_delivery=True)
    def on_booking_event(self, envelope):
        # auth's events_since: an event naming someone hired a moment ago catches up auth first.
        self.app.on_booking_event(envelope, self.booking.events_since, self.auth.events_since)

    @event_handler("auth", "#", handler_type=SERVICE_POOL, reliable_delivery=True)
    def on_auth_event(self, envelope):
        self.app.on_auth_event(envelope, self.auth.events_since)

    # payroll's final remunerations, the same way (deliveries are keyed by event_id, so a
    # redelivery or a replay sends nothing twice).
    @event_handler("payroll", "#", handler_type=SERVICE_POOL, reliable_delivery=True)
    def on_payroll_event(self, envelope):
        self.app.on_payroll_event(envelope, self.payroll.events_since, self.auth.events_since)

    # Catch up soon after start and regularly: events published while this service was down, or
    # lost. Not eager: an RPC sent before the reply queue exists would wait forever for its answer.
    @timer(interval=2)
    def catch_up(self):
        booking_catch_up = lambda fetch: self.app.catch_up(fetch, self.auth.events_since)  # noqa: E731
        payroll_catch_up = lambda fetch: self.app.catch_up_payroll(fetch, self.auth.events_since)  # noqa: E731
        for source, proxy, catch_up in (("booking", self.booking, booking_catch_up),
                                        ("auth", self.auth, self.app.catch_up_auth),
                                        ("payroll", self.payroll, payroll_catch_up)):
            run_guarded(f"catch-up from {source}", catch_up, proxy.events_since, timeout=CATCH_UP_TIMEOUT)

    # Due timers (reminders, expiries, digest) and due deliveries (first tries and retries).
    @timer(interval=1)
    def tick(self):
        try:
            self.app.tick()
        except Exception:
            log.exception("notification tick failed; will retry")

    @rpc
    def send_account_message(self, kind, recipient, params=None):
        return self.app.send_account_message(kind, recipient, params)

    @rpc
    def deliveries(self, query=None):
        return self.app.deliveries(query)

    @rpc
    def received(self, stream_id=None):
        return self.app.received(stream_id)

    @rpc
    def parked(self):
        return self.app.parked()

    @rpc
    def health(self):
        return self.app.health()
