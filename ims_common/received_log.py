"""What a consuming service received: one record per event_id, written once however often the
event is delivered (the record is the idempotency marker)."""
from __future__ import annotations

from ims_common.docstore.port import DocumentStore, DuplicateKeyError
from ims_common.envelope import StoredEvent, utc_now_iso

RECEIVED = "received_events"


class ReceivedLog:
    def __init__(self, docs: DocumentStore):
        self._docs = docs
        docs.ensure_index(RECEIVED, ["stream_id"])
        docs.ensure_index(RECEIVED, ["position"])

    def record(self, event: StoredEvent) -> bool:
        """True when the event is new, False when it was already recorded."""
        try:
            self._docs.insert(RECEIVED, event.event_id, {
                "event_id": event.event_id, "type": event.type, "stream_id": event.stream_id,
                "position": event.position, "received_at": utc_now_iso(),
            })
        except DuplicateKeyError:
            return False
        return True

    def list(self, stream_id: str | None = None) -> list[dict]:
        where = {"stream_id": stream_id} if stream_id else None
        return self._docs.find(RECEIVED, where, order_by=[("position", 1)])
