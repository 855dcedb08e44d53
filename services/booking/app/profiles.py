"""The booking service's own copy of auth's profiles (matching reads language pairs, request types,
availability, blocks and `available_for_offers` here), fed by a checkpointed projector named "auth":
live from auth.events, gaps and late starts filled through auth.events_since."""
from __future__ import annotations

from services.auth.contract.profiles import ProfileCopy
from ims_common.projection import CheckpointedProjector, Fetch

CHECKPOINT = "auth"


class AuthProfiles:
    def __init__(self, doc_store):
        self.copy = ProfileCopy(doc_store)
        self.projector = CheckpointedProjector(doc_store, CHECKPOINT, self.copy.apply)

    def on_event(self, envelope: dict, fetch: Fetch) -> None:
        self.projector.on_event(envelope, fetch)

    def catch_up(self, fetch: Fetch) -> int:
        return self.projector.catch_up(fetch)

    def get(self, user_id: str) -> dict | None:
        return self.copy.get(user_id)

    def interpreters(self) -> list[dict]:
        return self.copy.by_role("interpreter")

    def checkpoint(self) -> int:
        return self.projector.checkpoint()

