"""A consuming service's own copy of the profiles auth publishes (booking, payroll and notification
keep one each): ProfileUpdated carries the whole profile, AccountCreated the first fields,
AccountDeactivated / AccountReactivated flip `active`. Every event is upcast first (events.py). The
newest stream_version wins, so replays and redeliveries change nothing. Feed it from a
CheckpointedProjector on auth's events."""
from __future__ import annotations

from .events import ACCOUNT_CREATED, ACCOUNT_DEACTIVATED, ACCOUNT_REACTIVATED, PROFILE_UPDATED, upcast

PROFILES = "profiles"
# Where the person is reached (reset links, codes, notices): a change asks for the password and is
# told to the address it replaces (issue 17).
CONTACT_FIELDS = ("email", "mobile", "phone")


def changed_contacts(before: dict | None, after: dict | None) -> list[str]:
    """The contact fields whose value `after` differs from `before` (the same empty either way)."""
    before, after = before or {}, after or {}
    return [k for k in CONTACT_FIELDS if (before.get(k) or None) != (after.get(k) or None)]


def profile_after(current: dict | None, event_type: str, data: dict) -> dict | None:
    """The copy of a profile after one (upcast) event; None when the event does not change it."""
    if event_type == PROFILE_UPDATED:
        return dict(data)
    if event_type in (ACCOUNT_DEACTIVATED, ACCOUNT_REACTIVATED) and current:
        return dict(current, active=event_type == ACCOUNT_REACTIVATED)
    if event_type == ACCOUNT_CREATED and not current:
        return dict(data)
    return None


class ProfileCopy:
    """Over a document store (collection `profiles`, one document per account, `_version` = the
    stream version of the last event applied)."""

    def __init__(self, docs):
        self._docs = docs
        docs.ensure_index(PROFILES, ["role"])

    def apply(self, event) -> None:
        """event: a StoredEvent (or anything with type, data, stream_version, schema_version)."""
        envelope = upcast({"type": event.type, "data": event.data or {},
                           "schema_version": getattr(event, "schema_version", 1)})
        data = envelope["data"]
        user_id = data.get("user_id")
        if not user_id:
            return
        current = self._docs.get(PROFILES, user_id)
        if current and current.get("_version", 0) >= event.stream_version:
            return
        profile = profile_after(current, envelope["type"], data)
        if profile is None:
            return
        profile["_version"] = event.stream_version
        self._docs.put(PROFILES, user_id, profile)

    def get(self, user_id: str) -> dict | None:
        return self._docs.get(PROFILES, user_id)

    def by_role(self, role: str) -> list[dict]:
        return self._docs.find(PROFILES, {"role": role}, order_by=[("user_id", 1)])
