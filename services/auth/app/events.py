"""Auth's own events for its consumers (catch-up after a gap or a late start), and its health."""
from __future__ import annotations

from ims_common import validation as v
from ims_common.projection import parked_count
from services.auth.app.context import Context


class EventsFeed:
    def __init__(self, ctx: Context):
        self.ctx = ctx

    def events_since(self, position=0, limit=500) -> list[dict]:
        errors = v.Errors()
        position = v.integer(position, "position", errors, 0, 2**62, required=True)
        limit = v.integer(limit, "limit", errors, 1, 2**31, required=True)
        errors.raise_if_any()
        return [e.to_dict() for e in self.ctx.events.read_all(position, min(limit, 1000))]

    def health(self) -> dict:
        return {"service": "auth", "ok": True, "last_position": self.ctx.events.last_position(),
                "parked": parked_count(self.ctx.docs)}
