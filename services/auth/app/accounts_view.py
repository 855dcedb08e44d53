"""The accounts read model: one document per account, folded from its stream.

Disposable: `rebuild` replays every event. Refreshing folds the whole stream (a handful of events per
account) and writes only when it is newer than the stored version, so replays change nothing."""
from __future__ import annotations

from typing import Optional

from ims_common.docstore.port import DocumentStore
from ims_common.eventstore.port import EventStore
from ims_common.projection import CheckpointedProjector
from ims_common.validation import normalize_email
from services.auth.contract.events import account_stream, user_id_of
from services.auth.domain.account import Account, fold
from services.auth.domain.identifiers import ascii_fold

ACCOUNTS = "accounts"
CHECKPOINT = "auth_accounts"


def _doc(account: Account) -> dict:
    doc = account.to_dict()
    doc.update(version=account.version, roles=sorted(account.roles),
               sort_name=fold_text(f"{account.last_name} {account.first_name}"),
               search=fold_text(f"{account.first_name} {account.last_name} {account.email} {account.user_id}"))
    return doc


def fold_text(text: str) -> str:
    """Lowercase ASCII, so that 'emilie' finds 'Émilie' on every store adapter."""
    return ascii_fold(text).lower()


def public(doc: dict) -> dict:
    """The account as callers see it (contract fields only)."""
    return Account.from_dict(doc).to_dict()


class AccountsView:
    def __init__(self, events: EventStore, docs: DocumentStore):
        self._events = events
        self._docs = docs
        for fields in (["email"], ["roles"], ["sort_name"]):
            docs.ensure_index(ACCOUNTS, fields)
        self._projector = CheckpointedProjector(docs, CHECKPOINT, self._apply)

    def refresh(self, user_id: str) -> Optional[dict]:
        account = fold(self._events.load_stream(account_stream(user_id)))
        if account is None:
            return None
        current = self._docs.get(ACCOUNTS, user_id)
        if current is not None and current.get("version", 0) >= account.version:
            return current
        doc = _doc(account)
        self._docs.put(ACCOUNTS, user_id, doc)
        return doc

    def catch_up(self) -> int:
        """Applies events appended while nobody projected them (e.g. a crash right after append)."""
        return self._projector.catch_up(
            lambda position, limit: [e.to_dict() for e in self._events.read_all(position, limit)])

    def rebuild(self) -> int:
        self._docs.drop(ACCOUNTS)
        self._projector.reset()
        return self.catch_up()

    def _apply(self, event) -> None:
        user_id = user_id_of(event.stream_id)
        if user_id:
            self.refresh(user_id)

    # ---- queries ----

    def get(self, user_id: str) -> Optional[dict]:
        return self._docs.get(ACCOUNTS, user_id)

    def for_login(self, identifier) -> Optional[dict]:
        """The account an identifier typed at sign-in names: an email (any case) or a user id."""
        if not isinstance(identifier, str) or not identifier.strip():
            return None
        identifier = identifier.strip()
        if "@" in identifier:
            email = normalize_email(identifier)
            return self.by_email(email) if email else None
        return self.get(identifier.upper())

    def by_email(self, email: str) -> Optional[dict]:
        found = self._docs.find(ACCOUNTS, {"email": email}, limit=1)
        return found[0] if found else None

    def page(self, where: dict, page: int, per_page: int, text: Optional[str] = None
             ) -> tuple[list[dict], int]:
        order = [("sort_name", 1), ("user_id", 1)]
        if text:
            # The store has no substring operator; accounts number in the thousands at most.
            needle = fold_text(text)
            docs = [d for d in self._docs.find(ACCOUNTS, where or None, order_by=order)
                    if needle in d.get("search", "")]
            start = (page - 1) * per_page
            return docs[start:start + per_page], len(docs)
        total = self._docs.count(ACCOUNTS, where or None)
        docs = self._docs.find(ACCOUNTS, where or None, order_by=order, limit=per_page,
                               offset=(page - 1) * per_page)
        return docs, total
