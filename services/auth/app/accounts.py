"""Accounts: creation (by coordinators, by the command line), reading one, the coordinators' list.
A new account without a password gets a temporary one, emailed to the person (never in an event).
A password a coordinator chose is someone else's too: the person replaces it at first sign-in."""
from __future__ import annotations

from ims_common import validation as v
from ims_common.envelope import NewEvent
from ims_common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ims_common.eventstore.port import ConcurrencyError
from gateway.contract import links
from services.auth.app.accounts_view import public
from services.auth.app.context import SYSTEM_ACTOR, Context, actor_dict
from services.auth.app.reservations import EmailTaken
from services.auth.domain import fields as F
from services.auth.domain import roles as R
from services.auth.domain.account import Account, account_created, stream_id, validate_new_account
from services.auth.domain.identifiers import make_user_id
from services.auth.domain.passwords import generate_temporary_password
from services.auth.domain.queries import account_query


class Accounts:
    def __init__(self, ctx: Context):
        self.ctx = ctx

    # ---- creation ----

    def create_account(self, actor, fields) -> dict:
        """Coordinators create accounts; only an admin creates an admin."""
        actor = actor_dict(actor)
        if not R.is_staff(actor.get("role")):
            raise Forbidden("auth.forbidden")
        clean = validate_new_account(fields, self.ctx.estimator)
        if not R.may_grant(actor.get("role"), {clean["role"], clean["secondary_role"]} - {None}):
            raise Forbidden("auth.forbidden")
        account = self._create(clean, actor, chosen_by_another=True)
        temporary = account.pop("temporary_password", None)
        if temporary:
            self.ctx.send("temporary_password", Account.from_dict(self.ctx.view.get(account["user_id"])),
                          {"user_id": account["user_id"], "password": temporary,
                           "link": links.link("login", self.ctx.settings.public_url())})
        return account

    def bootstrap_coordinator(self, email, first_name, last_name, password) -> dict:
        """The first coordinator, created from the command line; the password must meet the rule."""
        if password is None:
            raise v.fail("password", "field.required")
        clean = validate_new_account({"email": email, "first_name": first_name, "last_name": last_name,
                                      "role": R.COORDINATOR, "password": password}, self.ctx.estimator)
        return self._create(clean, SYSTEM_ACTOR)

    def create_account_as_operator(self, fields) -> dict:
        """An account made from the command line (demo data, recovery): whoever holds the store
        holds every right, so no role check; the event names the system as actor. A temporary
        password is returned (the operator hands it over), never sent."""
        return self._create(validate_new_account(fields, self.ctx.estimator), SYSTEM_ACTOR)

    def _create(self, clean: dict, actor: dict, chosen_by_another: bool = False) -> dict:
        temporary = clean["password"] is None
        password = generate_temporary_password() if temporary else clean["password"]
        password_hash = self.ctx.hasher.hash(password)  # the slow step, before claiming anything
        email = clean["email"]
        reservations = self.ctx.reservations
        try:
            reservations.claim_email(email)
        except EmailTaken:
            raise ValidationFailed("account.email_taken", fields={"email": ["account.email_taken"]}) from None
        user_id = None
        try:
            user_id = make_user_id(clean["first_name"], clean["last_name"], reservations.next_number())
            reservations.bind_email(email, user_id)
            now = self.ctx.iso()
            self.ctx.credentials.set_password_hash(user_id, password_hash, now)
            type_, data = account_created(clean, user_id, now, must_change_password=temporary or chosen_by_another)
            event = NewEvent(type_, data, actor={"user_id": actor.get("user_id"), "role": actor.get("role")},
                             occurred_at=now)
            self.ctx.events.append(stream_id(user_id), 0, [event])
        except ConcurrencyError:
            reservations.release_email(email, None)
            raise Conflict("concurrency.conflict") from None
        except BaseException:
            reservations.release_email(email, user_id)
            raise
        result = public(self.ctx.view.refresh(user_id))
        if temporary:
            result["temporary_password"] = password
        return result

    # ---- reading ----

    def get_account(self, actor, user_id) -> dict:
        actor = actor_dict(actor)
        user_id = F.user_id(user_id)
        doc = self.ctx.view.get(user_id) if user_id else None
        # Not visible and absent look the same: no probing for identifiers.
        if doc is None or not (R.is_staff(actor.get("role")) or actor.get("user_id") == user_id):
            raise NotFound("account.not_found")
        return self._decorate(actor, public(doc))

    def list_accounts(self, actor, query) -> dict:
        if not R.is_staff(actor_dict(actor).get("role")):
            raise Forbidden("auth.forbidden")
        where, text, page, per_page = account_query(query)
        docs, total = self.ctx.view.page(where, page, per_page, text)
        return {"items": [self._decorate(actor, public(d)) for d in docs], "total": total, "page": page,
                "per_page": per_page}

    def _decorate(self, actor, account: dict) -> dict:
        """Coordinators see the lock and the MFA state of an account."""
        if R.is_staff(actor_dict(actor).get("role")):
            state = self.ctx.throttle("acct:" + account["user_id"])
            locked_at = state.get("locked_at")
            account.update(locked=bool(state.get("locked")), failed_attempts=int(state.get("consecutive") or 0),
                           locked_at=self.ctx.iso(locked_at) if locked_at else None,
                           mfa_enabled=bool(self.ctx.security(account["user_id"])["mfa"].get("enabled")))
        return account
