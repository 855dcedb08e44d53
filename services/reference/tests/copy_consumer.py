"""A consumer of reference events shaped as booking or payroll will be: a ReferenceCopy (the
contract's) in its own store, fed by a handler on `reference.events` that fills gaps through
reference.events_since. No timer: whatever it knows came through a published event."""
from __future__ import annotations

from nameko.events import SERVICE_POOL, event_handler
from nameko.rpc import RpcProxy, rpc

from ims_common.nameko_ext import Runtime
from services.reference.contract.copy import ReferenceCopy


class CopyConsumer:
    name = "reference_copy_consumer"

    copy = Runtime("reference_copy_consumer", lambda stores: ReferenceCopy(stores.doc_store), publishes=False)
    reference = RpcProxy("reference")

    @event_handler("reference", "#", handler_type=SERVICE_POOL, reliable_delivery=True)
    def on_reference_event(self, envelope):
        self.copy.on_event(envelope, self.reference.events_since)

    @rpc
    def lookup(self, kind, item_id):
        return {"item": self.copy.item(kind, item_id), "known": self.copy.is_known(kind, item_id)}

    @rpc
    def head_office_distance(self, region, facility):
        office, place = self.copy.region_head_office(region), self.copy.facility(facility)
        return {"head_office": office, "km": self.copy.distance_km(office, place)}

    @rpc
    def health(self):
        return {"service": self.name, "ok": True, "checkpoint": self.copy.checkpoint()}
