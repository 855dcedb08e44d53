"""Uniqueness the event store cannot check by itself: one account per email, one sequence number
per identifier. Both are claimed with the document store's insert (atomic on every adapter)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from ims_common.docstore.port import DocumentStore, DuplicateKeyError

EMAILS = "account_emails"
NUMBERS = "account_numbers"
# A claim this old without its AccountCreated event was left by a crash: it may be taken over.
STALE_AFTER = timedelta(minutes=2)


class EmailTaken(Exception):
    pass


class Reservations:
    def __init__(self, docs: DocumentStore, account_exists: Callable[[str], bool],
                 clock: Callable[[], datetime]):
        self._docs = docs
        self._account_exists = account_exists
        self._clock = clock

    def claim_email(self, email: str) -> None:
        doc = {"user_id": None, "claimed_at": self._clock().isoformat()}
        try:
            self._docs.insert(EMAILS, email, doc)
            return
        except DuplicateKeyError:
            if not self._abandoned(self._docs.get(EMAILS, email)):
                raise EmailTaken(email) from None
        self._docs.delete(EMAILS, email)
        try:
            self._docs.insert(EMAILS, email, doc)
        except DuplicateKeyError:  # someone else took it over at the same moment
            raise EmailTaken(email) from None

    def bind_email(self, email: str, user_id: str) -> None:
        self._docs.put(EMAILS, email, {"user_id": user_id, "claimed_at": self._clock().isoformat()})

    def release_email(self, email: str, user_id: str | None) -> None:
        """After a failed creation, unless the account got created after all."""
        if user_id is None or not self._account_exists(user_id):
            self._docs.delete(EMAILS, email)

    def next_number(self) -> int:
        """The next free sequence number (gaps are possible after failures, never duplicates)."""
        number = self._docs.count(NUMBERS) + 1
        while True:
            try:
                self._docs.insert(NUMBERS, f"{number:08d}", {"claimed_at": self._clock().isoformat()})
                return number
            except DuplicateKeyError:
                number += 1

    def _abandoned(self, doc) -> bool:
        if doc is None:
            return True  # released in between
        if doc.get("user_id") and self._account_exists(doc["user_id"]):
            return False
        try:
            claimed = datetime.fromisoformat(doc["claimed_at"])
        except (KeyError, TypeError, ValueError):
            return False
        return self._clock() - claimed > STALE_AFTER
