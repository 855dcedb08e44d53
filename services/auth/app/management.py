"""Coordinators' user management: deactivate (every session ends), reactivate, lift a lock, reset
the second factor (every session ends). Only an admin manages an admin's account."""
from __future__ import annotations

from ims_common import validation as v
from ims_common.errors import Conflict, Forbidden, NotFound
from services.auth.app.accounts import Accounts
from services.auth.app.context import SECURITY, Context, actor_dict
from services.auth.app.sessions import Sessions
from services.auth.contract.events import (ACCOUNT_DEACTIVATED, ACCOUNT_REACTIVATED, ACCOUNT_UNLOCKED,
                                           MFA_RESET)
from services.auth.domain import fields as F
from services.auth.domain import lockout
from services.auth.domain import roles as R
from services.auth.domain import sessions as S
from services.auth.domain.account import Account

ACTIONS = ("deactivate", "reactivate", "unlock", "reset-mfa")


class Management:
    def __init__(self, ctx: Context, sessions: Sessions, accounts: Accounts):
        self.ctx = ctx
        self.sessions = sessions
        self.accounts = accounts

    def manage(self, actor, user_id, action) -> dict:
        """action: deactivate, reactivate, unlock, reset-mfa."""
        handlers = {"deactivate": self.deactivate, "reactivate": self.reactivate, "unlock": self.unlock,
                    "reset-mfa": self.reset_mfa}
        if action not in handlers:
            raise v.fail("action", "field.not_one_of")
        return handlers[action](actor, user_id)

    def deactivate(self, actor, user_id) -> dict:
        actor, target = self._target(actor, user_id)
        if target.user_id == actor.get("user_id"):
            raise Conflict("account.cannot_deactivate_self")
        if target.active:
            self.sessions.end_all(target.user_id, S.DEACTIVATED, actor,
                                  facts=[(ACCOUNT_DEACTIVATED, {"user_id": target.user_id})])
        return self.accounts.get_account(actor, target.user_id)

    def reactivate(self, actor, user_id) -> dict:
        actor, target = self._target(actor, user_id)
        if not target.active:
            self.ctx.append_to_account(target.user_id, [(ACCOUNT_REACTIVATED, {"user_id": target.user_id})], actor)
        return self.accounts.get_account(actor, target.user_id)

    def unlock(self, actor, user_id) -> dict:
        actor, target = self._target(actor, user_id)
        self.lift_lock(target.user_id, actor)
        return self.accounts.get_account(actor, target.user_id)

    def reset_mfa(self, actor, user_id) -> dict:
        actor, target = self._target(actor, user_id)
        self.ctx.docs.put(SECURITY, target.user_id, {"user_id": target.user_id, "mfa": {}})
        self.sessions.end_all(target.user_id, S.MFA_RESET, actor, facts=[(MFA_RESET, {"user_id": target.user_id})])
        return self.accounts.get_account(actor, target.user_id)

    def lift_lock(self, user_id: str, actor) -> None:
        key = "acct:" + user_id
        state = self.ctx.throttle(key)
        self.ctx.save_throttle(key, lockout.unlock(state))
        second = lockout.second_factor_key(user_id)     # the codes' run of failures ends with it
        self.ctx.save_throttle(second, lockout.unlock(self.ctx.throttle(second)))
        if state.get("locked"):
            self.ctx.append_to_account(user_id, [(ACCOUNT_UNLOCKED, {"user_id": user_id})], actor)

    def _target(self, actor, user_id) -> tuple[dict, Account]:
        actor = actor_dict(actor)
        if not R.is_staff(actor.get("role")):
            raise Forbidden("auth.forbidden")
        uid = F.user_id(user_id)
        doc = self.ctx.view.get(uid) if uid else None
        if doc is None:
            raise NotFound("account.not_found")
        target = Account.from_dict(doc)
        if R.ADMIN in target.roles and actor.get("role") != R.ADMIN:
            raise Forbidden("auth.forbidden")
        return actor, target
