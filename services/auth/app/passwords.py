"""Passwords: the signed-in person's change (also of a temporary password), the forgotten-password
link by email, and the reset through it. A new password ends every session of the account.

  reset_tokens  key = sha256 of the emailed token: {user_id, created_at, expires_at}
  reset_used    same key: marks the link spent (single use)"""
from __future__ import annotations

import hashlib
import secrets

from gateway.contract import links
from ims_common import validation as v
from ims_common.docstore.port import DuplicateKeyError
from ims_common.errors import ValidationFailed
from services.auth.app.context import Context
from services.auth.app.login import Login
from services.auth.app.management import Management
from services.auth.app.sessions import Sessions
from services.auth.contract.events import PASSWORD_CHANGED
from services.auth.domain import lockout
from services.auth.domain import passwords as rule
from services.auth.domain import sessions as S
from services.auth.domain.account import Account

RESET, RESET_USED = "reset_tokens", "reset_used"
RESET_INVALID = "auth.reset_link_invalid"
RESET_TTL = 3600
FORGOT_PER_HOUR = 3


def _h(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Passwords:
    def __init__(self, ctx: Context, sessions: Sessions, login: Login, management: Management):
        self.ctx = ctx
        self.sessions = sessions
        self.login = login
        self.management = management
        ctx.docs.ensure_index(RESET, ["user_id"])

    def change_password(self, actor, current, new, confirm) -> dict:
        account = self.ctx.usable_account(actor)
        now = self.ctx.now()
        key = "acct:" + account.user_id
        self.login.refuse_if_throttled([key, "ip:-change"], now)
        password_hash = self.ctx.credentials.password_hash(account.user_id)
        if not isinstance(current, str) or not password_hash or not self.ctx.hasher.verify(password_hash, current):
            state, _ = lockout.record_failure(self.ctx.throttle(key), lockout.ACCOUNT, now)
            self.ctx.save_throttle(key, state)
            raise v.fail("current_password", "auth.wrong_current_password")
        self._check_new(account, new, confirm, current)
        self._set(account, new, actor, S.PASSWORD_CHANGED)
        return {"password_changed": True}

    def forgot_password(self, email, client_ip=None) -> dict:
        """The same answer whether or not the address names an account."""
        normalized = v.normalize_email(email)
        doc = self.ctx.view.by_email(normalized) if normalized else None
        if doc and doc.get("active"):
            now = self.ctx.now()
            recent = [d for d in self.ctx.docs.find(RESET, {"user_id": doc["user_id"]}) if d["created_at"] > now - 3600]
            if len(recent) < FORGOT_PER_HOUR:   # beyond: silently nothing (no mail bombing)
                token = secrets.token_urlsafe(32)
                self.ctx.docs.put(RESET, _h(token), {"user_id": doc["user_id"], "created_at": now,
                                                     "expires_at": now + RESET_TTL})
                url = links.link("password_reset", self.ctx.settings.public_url(), query={"token": token})
                self.ctx.send("reset_link", Account.from_dict(doc), {"url": url, "link": url})
        return {"accepted": True}

    def reset_password(self, token, new, confirm) -> dict:
        key = _h(token) if isinstance(token, str) and token else None
        doc = self.ctx.docs.get(RESET, key) if key else None
        if doc is None or doc["expires_at"] <= self.ctx.now() or self.ctx.docs.get(RESET_USED, key):
            raise ValidationFailed(RESET_INVALID, fields={"token": [RESET_INVALID]})
        account_doc = self.ctx.view.get(doc["user_id"])
        if not account_doc or not account_doc.get("active"):
            raise ValidationFailed(RESET_INVALID, fields={"token": [RESET_INVALID]})
        account = Account.from_dict(account_doc)
        self._check_new(account, new, confirm)   # a refused password does not spend the link
        try:
            self.ctx.docs.insert(RESET_USED, key, {"used_at": self.ctx.now()})
        except DuplicateKeyError:
            raise ValidationFailed(RESET_INVALID, fields={"token": [RESET_INVALID]}) from None
        owner = {"user_id": account.user_id, "role": account.default_role}
        self._set(account, new, owner, S.PASSWORD_RESET)
        # The emailed link proves the mailbox: it lifts a lock as a coordinator would.
        self.management.lift_lock(account.user_id, owner)
        return {"password_reset": True}

    def reasons(self, password, personal_words=()) -> list[dict]:
        return rule.reasons(password, personal_words, self.ctx.estimator)

    def _check_new(self, account: Account, new, confirm, current=None) -> None:
        found = rule.new_password_reasons(new, confirm, account.personal_words, self.ctx.estimator, current)
        if found:
            raise ValidationFailed(rule.WEAK if "new_password" in found else rule.MISMATCH,
                                   params={"reasons": [dict(r, field=f) for f, rs in found.items() for r in rs]},
                                   fields={f: [r["code"] for r in rs] for f, rs in found.items()})

    def _set(self, account: Account, new: str, actor: dict, reason: str) -> None:
        self.ctx.credentials.set_password_hash(account.user_id, self.ctx.hasher.hash(new), self.ctx.iso())
        self.sessions.end_all(account.user_id, reason, actor,
                              facts=[(PASSWORD_CHANGED, {"user_id": account.user_id})])
        self.ctx.send("password_changed", account, {})
