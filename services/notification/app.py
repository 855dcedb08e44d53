"""Application layer of the notification service: projects booking events, once each, in order."""
from __future__ import annotations

from ims_common.envelope import StoredEvent
from ims_common.projection import CheckpointedProjector, Fetch
from ims_common.received_log import ReceivedLog


class NotificationApp:
    def __init__(self, doc_store):
        self.received_log = ReceivedLog(doc_store)
        self.projector = CheckpointedProjector(doc_store, "booking", self._apply)

    def _apply(self, event: StoredEvent) -> None:
        self.received_log.record(event)

    def on_booking_event(self, envelope: dict, fetch: Fetch) -> None:
        self.projector.on_event(envelope, fetch)

    def catch_up(self, fetch: Fetch) -> int:
        return self.projector.catch_up(fetch)

    def received(self, stream_id: str | None = None) -> list[dict]:
        return self.received_log.list(stream_id)

    def health(self) -> dict:
        return {"service": "notification", "ok": True, "checkpoint": self.projector.checkpoint()}
