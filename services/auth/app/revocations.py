"""The revocations still in force (collection `revocations`, one document per SessionsRevoked or
SystemTokenRevoked event until its `expires_at`), folded from auth's own events by a checkpointed
projector. A gateway that starts, or whose event feed reconnects, loads them through the RPC
`revocations_in_force` before it trusts any token (gateway/revocations.py)."""
from __future__ import annotations

from ims_common.projection import CheckpointedProjector
from services.auth.app.context import Context
from services.auth.contract.events import REVOCATIONS as TYPES

REVOCATIONS = "revocations"
CHECKPOINT = "auth_revocations"


class Revocations:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        ctx.docs.ensure_index(REVOCATIONS, ["expires_at"])
        self._projector = CheckpointedProjector(ctx.docs, CHECKPOINT, self._apply)

    def catch_up(self) -> int:
        return self._projector.catch_up(
            lambda position, limit: [e.to_dict() for e in self.ctx.events.read_all(position, limit)])

    def in_force(self) -> list[dict]:
        """[{"type", "data"}] of every revocation some still valid token may match, oldest first."""
        self.catch_up()
        now = self.ctx.now()
        for doc in self.ctx.docs.find(REVOCATIONS, {"expires_at": {"lte": now}}):
            self.ctx.docs.delete(REVOCATIONS, doc["event_id"])
        return [{"type": d["type"], "data": d["data"]}
                for d in self.ctx.docs.find(REVOCATIONS, {"expires_at": {"gt": now}},
                                            order_by=[("expires_at", 1), ("event_id", 1)])]

    def _apply(self, event) -> None:
        expires_at = (event.data or {}).get("expires_at")
        if event.type in TYPES and isinstance(expires_at, (int, float)) and expires_at > self.ctx.now():
            self.ctx.docs.put(REVOCATIONS, event.event_id, {"event_id": event.event_id, "type": event.type,
                                                            "data": event.data, "expires_at": expires_at})
