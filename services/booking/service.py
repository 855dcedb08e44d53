"""The booking nameko service: a thin shell over BookingApp (services/booking/app.py)."""
from __future__ import annotations

import base64

from nameko.rpc import rpc

from ims_common.nameko_ext import Runtime
from services.booking.app import BookingApp


def _build(stores) -> BookingApp:
    app = BookingApp(stores.event_store, stores.doc_store, stores.blob_store)
    app.catch_up()  # read models follow events appended while the service was down
    return app


class BookingService:
    name = "booking"

    app = Runtime("booking", _build)

    @rpc
    def create_booking(self, actor, fields):
        return self.app.create_booking(actor, fields)

    @rpc
    def get_booking(self, actor, booking_id):
        return self.app.get_booking(actor, booking_id)

    @rpc
    def list_bookings(self, actor, query):
        return self.app.list_bookings(actor, query)

    @rpc
    def execute(self, actor, booking_id, command, payload):
        return self.app.execute(actor, booking_id, command, payload)

    @rpc
    def get_attachment(self, actor, booking_id, attachment_id):
        meta, content = self.app.get_attachment(actor, booking_id, attachment_id)
        return {"meta": meta, "content_base64": base64.b64encode(content).decode("ascii")}

    @rpc
    def events_since(self, position, limit=500):
        return self.app.events_since(position, limit)

    @rpc
    def health(self):
        return self.app.health()
