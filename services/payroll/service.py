"""The payroll nameko service: a thin shell over PayrollApp (built by bootstrap.py)."""
from __future__ import annotations

from nameko.events import SERVICE_POOL, event_handler
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

from ims_common.nameko_ext import Runtime, run_guarded
from services.payroll import bootstrap

CATCH_UP_TIMEOUT = 60


class PayrollService:
    name = "payroll"

    app = Runtime("payroll", bootstrap.build, publishes=True)
    booking = RpcProxy("booking")
    auth = RpcProxy("auth")
    reference = RpcProxy("reference")

    # A durable queue bound to every booking event; failures leave the checkpoint behind, and the
    # catch-up below retries from the event store, so nothing is lost.
    @event_handler("booking", "#", handler_type=SERVICE_POOL, reliable_delivery=True)
    def on_booking_event(self, envelope):
        self.app.on_booking_event(envelope, self.booking.events_since)

    # Catch up soon after start and regularly: events published while this service was down, or
    # lost. Not eager: an RPC sent before the reply queue exists would wait forever for its answer.
    @timer(interval=2)
    def catch_up(self):
        run_guarded("catch-up from booking", self.app.catch_up, self.booking.events_since, timeout=CATCH_UP_TIMEOUT)

    # Profiles (financial record for GST/QST, legal name, supplier number) from auth, the same way.
    @event_handler("auth", "#", handler_type=SERVICE_POOL, reliable_delivery=True)
    def on_auth_event(self, envelope):
        self.app.on_auth_event(envelope, self.auth.events_since)

    @timer(interval=2)
    def catch_up_auth(self):
        run_guarded("catch-up from auth", self.app.catch_up_auth, self.auth.events_since, timeout=CATCH_UP_TIMEOUT)

    # The reference data (facilities, regions' head offices: the mileage check), the same way.
    @event_handler("reference", "#", handler_type=SERVICE_POOL, reliable_delivery=True)
    def on_reference_event(self, envelope):
        self.app.on_reference_event(envelope, self.reference.events_since)

    @timer(interval=2)
    def catch_up_reference(self):
        run_guarded("catch-up from reference", self.app.catch_up_reference, self.reference.events_since,
                    timeout=CATCH_UP_TIMEOUT)

    @rpc
    def get_remuneration(self, actor, booking_id):
        return self.app.get_remuneration(actor, booking_id)

    @rpc
    def list_periods(self, actor):
        return self.app.list_periods(actor)

    @rpc
    def get_period(self, actor, period_id):
        return self.app.get_period(actor, period_id)

    @rpc
    def close_period(self, actor, period_id, carry=None):
        return self.app.close_period(actor, period_id, carry)

    @rpc
    def statement(self, actor, period_id, interpreter_id=None):
        return self.app.statement(actor, period_id, interpreter_id)

    @rpc
    def export_csv(self, actor, period_id):
        return self.app.export_csv(actor, period_id)

    @rpc
    def statement_pdf(self, actor, period_id, interpreter_id):
        return self.app.statement_pdf(actor, period_id, interpreter_id)

    @rpc
    def billing(self, actor, period_id):
        return self.app.billing(actor, period_id)

    @rpc
    def list_policies(self, actor):
        return self.app.list_policies(actor)

    @rpc
    def add_policy(self, actor, fields):
        return self.app.add_policy(actor, fields)

    @rpc
    def cancellation_terms(self, actor, start_at, mode=None):
        return self.app.cancellation_terms(actor, start_at, mode)

    @rpc
    def totals(self):
        return self.app.totals()

    @rpc
    def events_since(self, position, limit=500):
        return self.app.events_since(position, limit)

    @rpc
    def received(self, stream_id=None):
        return self.app.received(stream_id)

    @rpc
    def parked(self):
        return self.app.parked()

    @rpc
    def health(self):
        return self.app.health()
