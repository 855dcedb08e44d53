"""A consuming service's own copy of the profiles auth publishes (ProfileUpdated carries the whole
profile; AccountDeactivated / AccountReactivated flip `active`). The newest stream_version wins, so
replays and redeliveries change nothing. Feed it from a CheckpointedProjector on auth's events."""
from __future__ import annotations

from ims_common.docstore.port import DocumentStore
from ims_common.envelope import StoredEvent

PROFILES = "profiles"


class ProfileCopy:
    def __init__(self, docs: DocumentStore):
        self._docs = docs
        docs.ensure_index(PROFILES, ["role"])

    def apply(self, event: StoredEvent) -> None:
        user_id = event.data.get("user_id")
        if not user_id:
            return
        current = self._docs.get(PROFILES, user_id)
        if current and current.get("_version", 0) >= event.stream_version:
            return
        if event.type == "ProfileUpdated":
            profile = dict(event.data)
        elif event.type in ("AccountDeactivated", "AccountReactivated") and current:
            profile = dict(current, active=event.type == "AccountReactivated")
        elif event.type == "AccountCreated" and not current:
            profile = dict(event.data)
        else:
            return
        profile["_version"] = event.stream_version
        self._docs.put(PROFILES, user_id, profile)

    def get(self, user_id: str) -> dict | None:
        return self._docs.get(PROFILES, user_id)

    def by_role(self, role: str) -> list[dict]:
        return self._docs.find(PROFILES, {"role": role}, order_by=[("user_id", 1)])
