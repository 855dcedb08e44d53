"""The reference nameko service: a thin shell over ReferenceApp (services/reference/app/)."""
from __future__ import annotations

from nameko.rpc import rpc

from ims_common.nameko_ext import Runtime
from services.reference import bootstrap


class ReferenceService:
    name = "reference"

    # Its document store holds only the read model and its checkpoint (the events give them again):
    # its commits skip the fsync; the event appends keep it.
    app = Runtime("reference", bootstrap.build, durable_docs=False)

    @rpc
    def list_items(self, actor, kind, query=None):
        return self.app.list_items(actor, kind, query)

    @rpc
    def get_item(self, actor, kind, item_id):
        return self.app.get_item(actor, kind, item_id)

    @rpc
    def item_history(self, actor, kind, item_id):
        return self.app.item_history(actor, kind, item_id)

    @rpc
    def create_item(self, actor, kind, fields):
        return self.app.create_item(actor, kind, fields)

    @rpc
    def change_item(self, actor, kind, item_id, fields):
        return self.app.change_item(actor, kind, item_id, fields)

    @rpc
    def deactivate_item(self, actor, kind, item_id, reason=None):
        return self.app.deactivate_item(actor, kind, item_id, reason)

    @rpc
    def reactivate_item(self, actor, kind, item_id):
        return self.app.reactivate_item(actor, kind, item_id)

    @rpc
    def import_csv(self, actor, kind, payload):
        return self.app.import_csv(actor, kind, payload)

    @rpc
    def events_since(self, position, limit=500):
        return self.app.events_since(position, limit)

    @rpc
    def health(self):
        return self.app.health()
