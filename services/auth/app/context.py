"""What every use case of the auth service shares: the stores, the clock, the ports (password hasher,
messenger, strength estimator), the settings read at each use, and the few helpers over them.
Built by services/auth/bootstrap.py; the use-case modules take one each."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable, Optional

from ims_common.envelope import NewEvent
from ims_common.errors import Conflict, Unauthorized
from ims_common.eventstore.port import ConcurrencyError
from ims_common.times import iso_z
from services.auth.adapters.messenger import AccountMessenger
from services.auth.adapters.passwords import PasswordHasher
from services.auth.app.accounts_view import AccountsView
from services.auth.app.credentials import Credentials
from services.auth.app.reservations import Reservations
from services.auth.contract.events import account_stream
from services.auth.domain.account import Account
from services.auth.domain.passwords import Estimator

THROTTLE = "login_throttle"   # "acct:<user_id>" | "id:<identifier as typed>" | "ip:<address>"
SECURITY = "auth_security"    # per account: MFA settings (mobile, TOTP secret, recovery code hashes)
SYSTEM_ACTOR = {"user_id": "system", "role": "system"}   # the CLI and the service's own timers
RETRIES = 3


@dataclass
class Settings:
    """Read at each use, so that a key rotation or a new lifetime needs no restart."""
    keys: Callable[[], list]          # signing keys [(kid, secret)], the first signs
    access_ttl: Callable[[], int]     # seconds
    refresh_ttl: Callable[[], int]    # seconds: the idle timeout (a refresh token unused that long dies)
    public_url: Callable[[], str]     # where the emailed links point
    # seconds from the sign-in after which no refresh keeps the session (shared workstations)
    session_lifetime: Callable[[], int] = lambda: 12 * 3600
    # seconds after a sign-in during which changing the second factor needs no password again
    step_up_window: Callable[[], int] = lambda: 600


def actor_dict(actor) -> dict:
    return actor if isinstance(actor, dict) else {}


class Context:
    def __init__(self, event_store, doc_store, blob_store, clock: Callable[[], datetime],
                 hasher: PasswordHasher, messenger: AccountMessenger, estimator: Optional[Estimator],
                 settings: Settings):
        self.events = event_store
        self.docs = doc_store
        self.blobs = blob_store
        self.clock = clock
        self.hasher = hasher
        self.messenger = messenger
        self.estimator = estimator
        self.settings = settings
        self.view = AccountsView(event_store, doc_store)
        self.credentials = Credentials(doc_store)
        self.reservations = Reservations(doc_store, self.account_exists, clock)

    # ---- time ----

    def now(self) -> float:
        return self.clock().timestamp()

    def iso(self, moment: Optional[float] = None) -> str:
        at = self.clock() if moment is None else datetime.fromtimestamp(moment, timezone.utc)
        return iso_z(at, "microseconds")

    # ---- accounts ----

    def account_exists(self, user_id: str) -> bool:
        return self.events.stream_version(account_stream(user_id)) > 0

    def usable_account(self, actor) -> Account:
        """The signed-in person's account; Unauthorized when it is gone or inactive."""
        uid = actor_dict(actor).get("user_id")
        doc = self.view.get(uid) if isinstance(uid, str) and uid else None
        if not doc or not doc.get("active"):
            raise Unauthorized("auth.token_invalid")
        return Account.from_dict(doc)

    def append_to_account(self, user_id: str, facts: Iterable[tuple[str, dict]], actor) -> None:
        """Appends the facts to the account's stream in one append (retrying on a concurrent one),
        then brings the accounts read model up to date."""
        actor = actor_dict(actor)
        stream = account_stream(user_id)
        events = [NewEvent(type_, data, actor={"user_id": actor.get("user_id"), "role": actor.get("role")},
                           occurred_at=self.iso()) for type_, data in facts]
        for _ in range(RETRIES):
            try:
                self.events.append(stream, self.events.stream_version(stream), events)
                break
            except ConcurrencyError:
                continue
        else:
            raise Conflict("concurrency.conflict")
        self.view.refresh(user_id)

    # ---- per-account security state ----

    def security(self, user_id: str) -> dict:
        sec = self.docs.get(SECURITY, user_id) or {"user_id": user_id}
        sec.setdefault("mfa", {})
        return sec

    def save_security(self, sec: dict) -> None:
        self.docs.put(SECURITY, sec["user_id"], sec)

    def throttle(self, key: str) -> dict:
        return self.docs.get(THROTTLE, key) or {}

    def save_throttle(self, key: str, state: dict) -> None:
        self.docs.put(THROTTLE, key, {**state, "key": key})

    # ---- messages to people ----

    def profile_mobile(self, user_id: str) -> Optional[str]:
        mobile = (self.docs.get("profiles", user_id) or {}).get("mobile")
        return mobile if isinstance(mobile, str) and mobile else None

    def send(self, kind: str, account: Account, params: dict, mobile: Optional[str] = None) -> None:
        recipient = {"user_id": account.user_id, "email": account.email,
                     "mobile": mobile or self.security(account.user_id)["mfa"].get("mobile")
                     or self.profile_mobile(account.user_id), "lang": account.display_language}
        self.messenger.send(kind, recipient, params)
