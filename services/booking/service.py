"""The booking nameko service: a thin shell over BookingApp (services/booking/app/), wired by
bootstrap.build."""
from __future__ import annotations

import base64
import logging

from nameko.events import SERVICE_POOL, event_handler
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer

from ims_common.nameko_ext import Runtime, run_guarded
from services.booking import bootstrap

log = logging.getLogger(__name__)
CATCH_UP_TIMEOUT = 60


class BookingService:
    name = "booking"

    app = Runtime(bootstrap.SERVICE, bootstrap.build, durable_docs=bootstrap.DURABLE_DOCS)

    @rpc
    def create_booking(self, actor, fields):
        return self.app.create_booking(actor, fields)

    @rpc
    def get_booking(self, actor, booking_id):
        return self.app.get_booking(actor, booking_id)

    @rpc
    def assigned_contact(self, actor, booking_id):
        return self.app.assigned_contact(actor, booking_id)

    @rpc
    def list_bookings(self, actor, query):
        return self.app.list_bookings(actor, query)

    @rpc
    def execute(self, actor, booking_id, command, payload):
        return self.app.execute(actor, booking_id, command, payload,
                                refresh_profiles=lambda: self.app.auth_profiles.catch_up(self.auth.events_since))

    @rpc
    def get_attachment(self, actor, booking_id, attachment_id):
        meta, content = self.app.get_attachment(actor, booking_id, attachment_id)
        return {"meta": meta, "content_base64": base64.b64encode(content).decode("ascii")}

    @rpc
    def events_since(self, position, limit=500):
        return self.app.events_since(position, limit)

    @rpc
    def public_events_since(self, position, limit=500, context=False):
        """The public projection of events_since (docs/events/): {"items", "next_after"}; the
        context category only with `context=True` (a subscriber granted it)."""
        return self.app.public_events_since(position, limit, context)

    @rpc
    def health(self):
        return self.app.health()

    # ---- matching (app/matching.py, app/queue.py, app/escalation.py) ----

    @rpc
    def candidates(self, actor, booking_id):
        return self.app.candidates(actor, booking_id)

    @rpc
    def to_assign(self, actor, query=None):
        return self.app.to_assign(actor, query)

    @timer(interval=60)
    def escalate(self):
        """Widen stale offers to the next tier, flag bookings still unfilled (the app's clock)."""
        try:
            done = self.app.escalate()
            if done["escalated"] or done["flagged"]:
                log.info("escalation: %s", done)
        except Exception:
            log.warning("escalation pass failed; the next one retries", exc_info=True)

    # ---- the copy of auth's profiles (app/profiles.py) ----

    auth = RpcProxy("auth")

    # A durable queue bound to every auth event; a failure leaves the checkpoint behind and the
    # catch-up below retries from auth's event store, so nothing is lost.
    @event_handler("auth", "#", handler_type=SERVICE_POOL, reliable_delivery=True)
    def on_auth_event(self, envelope):
        self.app.auth_profiles.on_event(envelope, self.auth.events_since)

    # Not eager: an RPC sent before the reply queue exists would wait forever for its answer.
    @timer(interval=2)
    def catch_up_auth(self):
        run_guarded("catch-up from auth", self.app.auth_profiles.catch_up, self.auth.events_since,
                    timeout=CATCH_UP_TIMEOUT)

    # ---- the copy of the reference data (app/reference.py), fed the same way ----

    reference_service = RpcProxy("reference")

    @event_handler("reference", "#", handler_type=SERVICE_POOL, reliable_delivery=True)
    def on_reference_event(self, envelope):
        self.app.reference.on_event(envelope, self.reference_service.events_since)

    @timer(interval=2)
    def catch_up_reference(self):
        run_guarded("catch-up from reference", self.app.reference.catch_up, self.reference_service.events_since,
                    timeout=CATCH_UP_TIMEOUT)

    @rpc
    def interpreter_profiles(self):
        """The booking service's copy of interpreter profiles, and its checkpoint (tests, support)."""
        profiles = self.app.auth_profiles
        return {"checkpoint": profiles.checkpoint(), "items": profiles.interpreters()}
