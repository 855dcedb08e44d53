"""Password hashes, kept beside the event store rather than in events: events are published to
every subscriber of auth.events, and a hash must never travel. The events still record each change
(PasswordChanged), so the audit trail is whole; the hash itself is state of record, not a read model,
and no rebuild touches it."""
from __future__ import annotations

from typing import Optional

from ims_common.docstore.port import DocumentStore

CREDENTIALS = "credentials"


class Credentials:
    def __init__(self, docs: DocumentStore):
        self._docs = docs

    def password_hash(self, user_id: str) -> Optional[str]:
        doc = self._docs.get(CREDENTIALS, user_id)
        return doc.get("password_hash") if doc else None

    def set_password_hash(self, user_id: str, password_hash: str, at: str) -> None:
        self._docs.put(CREDENTIALS, user_id, {"user_id": user_id, "password_hash": password_hash,
                                              "updated_at": at})
