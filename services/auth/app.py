"""Application layer of the auth service (no nameko): what the RPC methods and the CLI call."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Optional

from ims_common import config
from ims_common.envelope import NewEvent
from ims_common.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from ims_common.eventstore.port import ConcurrencyError
from services.auth.adapters.passwords import PasswordHasher
from ims_common.tokens import issue_token
from services.auth.credentials import Credentials
from services.auth.domain import roles as R
from services.auth.domain import validation as v
from services.auth.domain.account import Account, account_created, stream_id, validate_new_account
from services.auth.domain.identifiers import make_user_id
from services.auth.domain.passwords import generate_temporary_password
from services.auth.read_model import AccountsView, public
from services.auth.reservations import EmailTaken, Reservations

INVALID_CREDENTIALS = "auth.invalid_credentials"
SYSTEM_ACTOR = {"user_id": "system", "role": "system"}   # the CLI, acting with store access
PER_PAGE_DEFAULT, PER_PAGE_MAX = 50, 200
LIST_QUERY = ("role", "active", "establishment", "q", "page", "per_page")


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _actor(actor) -> dict:
    return actor if isinstance(actor, dict) else {}


class AuthApp:
    def __init__(self, event_store, doc_store, clock: Optional[Callable[[], datetime]] = None,
                 hasher: Optional[PasswordHasher] = None,
                 keys: Optional[Callable[[], list]] = None):
        self.events = event_store
        self.docs = doc_store
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.hasher = hasher or PasswordHasher()
        self.keys = keys or config.jwt_keys        # read per login: rotation needs no restart
        self.view = AccountsView(event_store, doc_store)
        self.credentials = Credentials(doc_store)
        self.reservations = Reservations(doc_store, self._exists, self.clock)

    def catch_up(self) -> int:
        return self.view.catch_up()

    # ---- login ----

    def login(self, identifier, password, client_ip=None) -> dict:
        """One answer for unknown account, wrong password and inactive account, in about the same
        time (a hash is verified in every case). client_ip is for throttling and lockout (later)."""
        password = password if isinstance(password, str) else ""
        doc = self._find_for_login(identifier)
        password_hash = self.credentials.password_hash(doc["user_id"]) if doc else None
        if password_hash is None:
            self.hasher.burn(password)
            raise Unauthorized(INVALID_CREDENTIALS)
        if not self.hasher.verify(password_hash, password) or not doc.get("active"):
            raise Unauthorized(INVALID_CREDENTIALS)
        if self.hasher.needs_rehash(password_hash):  # same password, stronger parameters: no event
            self.credentials.set_password_hash(doc["user_id"], self.hasher.hash(password),
                                               _iso(self.clock()))
        account = Account.from_dict(doc)
        ttl = config.access_token_ttl_seconds()
        token = issue_token(sub=account.user_id, role=account.default_role, name=account.display_name,
                            est=account.establishment, lang=account.display_language, keys=self.keys(),
                            ttl_seconds=ttl, now=self.clock().timestamp(),
                            # the gateway lets a temporary password do nothing but change itself
                            extra_claims={"mcp": account.must_change_password})
        return {"access_token": token, "token_type": "Bearer", "expires_in": ttl,
                "user": account.to_dict()}

    def _find_for_login(self, identifier) -> Optional[dict]:
        if not isinstance(identifier, str) or not identifier.strip():
            return None
        identifier = identifier.strip()
        if "@" in identifier:
            email = v.normalize_email(identifier)
            return self.view.by_email(email) if email else None
        return self.view.get(identifier.upper())

    # ---- accounts ----

    def create_account(self, actor, fields) -> dict:
        actor = _actor(actor)
        if not R.is_staff(actor.get("role")):
            raise Forbidden("auth.forbidden")
        clean = validate_new_account(fields)
        if not R.may_grant(actor.get("role"), {clean["role"], clean["secondary_role"]} - {None}):
            raise Forbidden("auth.forbidden")
        return self._create(clean, actor)

    def bootstrap_coordinator(self, email, first_name, last_name, password) -> dict:
        """The first coordinator, created from the command line; the password must meet the rule."""
        if password is None:
            raise ValidationFailed(v.VALIDATION_FAILED, fields={"password": ["field.required"]})
        clean = validate_new_account({"email": email, "first_name": first_name, "last_name": last_name,
                                      "role": R.COORDINATOR, "password": password})
        return self._create(clean, SYSTEM_ACTOR)

    def create_account_as_operator(self, fields) -> dict:
        """An account made from the command line (demo data, recovery): whoever holds the store
        holds every right, so no role check; the event names the system as actor."""
        return self._create(validate_new_account(fields), SYSTEM_ACTOR)

    def get_account(self, actor, user_id) -> dict:
        actor = _actor(actor)
        user_id = user_id.strip().upper() if isinstance(user_id, str) else ""
        doc = self.view.get(user_id) if user_id else None
        # Not visible and absent look the same: no probing for identifiers.
        if doc is None or not (R.is_staff(actor.get("role")) or actor.get("user_id") == user_id):
            raise NotFound("account.not_found")
        return public(doc)

    def list_accounts(self, actor, query) -> dict:
        if not R.is_staff(_actor(actor).get("role")):
            raise Forbidden("auth.forbidden")
        where, text, page, per_page = self._list_query(query)
        docs, total = self.view.page(where, page, per_page, text)
        return {"items": [public(d) for d in docs], "total": total, "page": page, "per_page": per_page}

    @staticmethod
    def _list_query(query) -> tuple[dict, Optional[str], int, int]:
        query = query if query is not None else {}
        errors = v.Errors()
        if not isinstance(query, dict):
            errors.add("_schema", "field.not_an_object")
            errors.raise_if_any()
        for key in query:
            if key not in LIST_QUERY:
                errors.add(key, "field.unknown")
        where: dict = {}
        role = v.one_of(query.get("role"), R.ROLES, "role", errors, required=False)
        if role:
            where["roles"] = {"contains": role}   # primary or secondary
        active = query.get("active")
        if active is not None:
            if isinstance(active, bool):
                where["active"] = active
            else:
                errors.add("active", "field.not_a_boolean")
        if query.get("establishment") is not None:
            where["establishment"] = v.establishment(query["establishment"], errors)
        text = v.text(query.get("q"), "q", errors, v.NAME_MAX, required=False)   # name, email or id
        page, per_page = query.get("page", 1), query.get("per_page", PER_PAGE_DEFAULT)
        for name, value, hi in (("page", page, 10**6), ("per_page", per_page, PER_PAGE_MAX)):
            if isinstance(value, bool) or not isinstance(value, int):
                errors.add(name, "field.not_an_integer")
            elif not 1 <= value <= hi:
                errors.add(name, "field.out_of_range")
        errors.raise_if_any()
        return where, text, page, per_page

    # ---- events ----

    def events_since(self, position=0, limit=500) -> list[dict]:
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            raise ValidationFailed(v.VALIDATION_FAILED, fields={"position": ["field.invalid"]})
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValidationFailed(v.VALIDATION_FAILED, fields={"limit": ["field.invalid"]})
        return [e.to_dict() for e in self.events.read_all(position, min(limit, 1000))]

    def health(self) -> dict:
        return {"service": "auth", "ok": True, "last_position": self.events.last_position()}

    # ---- internals ----

    def _exists(self, user_id: str) -> bool:
        return self.events.stream_version(stream_id(user_id)) > 0

    def _create(self, clean: dict, actor: dict) -> dict:
        temporary = clean["password"] is None
        password = generate_temporary_password() if temporary else clean["password"]
        password_hash = self.hasher.hash(password)  # the slow step, before claiming anything
        email = clean["email"]
        try:
            self.reservations.claim_email(email)
        except EmailTaken:
            raise ValidationFailed("account.email_taken", fields={"email": ["account.email_taken"]}) from None
        user_id = None
        try:
            user_id = make_user_id(clean["first_name"], clean["last_name"], self.reservations.next_number())
            self.reservations.bind_email(email, user_id)
            now = _iso(self.clock())
            self.credentials.set_password_hash(user_id, password_hash, now)
            type_, data = account_created(clean, user_id, now, must_change_password=temporary)
            event = NewEvent(type_, data, actor={"user_id": actor.get("user_id"), "role": actor.get("role")},
                             occurred_at=now)
            self.events.append(stream_id(user_id), 0, [event])
        except ConcurrencyError:
            self.reservations.release_email(email, None)
            raise Conflict("concurrency.conflict") from None
        except BaseException:
            self.reservations.release_email(email, user_id)
            raise
        result = public(self.view.refresh(user_id))
        if temporary:
            result["temporary_password"] = password  # shown once; emailing it comes later
        return result
