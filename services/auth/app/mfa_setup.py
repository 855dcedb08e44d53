"""Setting up the second factor, signed in: now (the first code always goes by SMS to the mobile
number, as the deck and the FAQ say) or later (24 hours); then an authenticator app. Turning a second
factor on ends the person's other sessions (the one that did it stays).

Step-up (issue 17): a new phone or authenticator app (which also replaces the recovery codes) needs
a recent authentication: the session's sign-in less than settings.step_up_window ago (the set-up the sign-in
offers), else the current password, whose failures count as the password's do."""
from __future__ import annotations

import re

import pyotp

from ims_common import validation as v
from ims_common.errors import Conflict, ValidationFailed
from services.auth.app.context import Context, actor_dict
from services.auth.app.second_factor import channels, check_totp
from services.auth.app.sessions import SESSIONS, Sessions
from services.auth.app.step_up import check_current_password
from services.auth.contract.events import MFA_ENABLED
from services.auth.domain import mfa
from services.auth.domain import sessions as S

MOBILE_RE = re.compile(r"\+?[0-9][0-9 ().-]{8,20}")
STEP_UP = "auth.step_up_required"


class MfaSetup:
    def __init__(self, ctx: Context, sessions: Sessions):
        self.ctx = ctx
        self.sessions = sessions

    def _step_up(self, actor, user_id: str, current_password) -> None:
        sid = actor_dict(actor).get("session_id")
        session = self.ctx.docs.get(SESSIONS, sid) if isinstance(sid, str) and sid else None
        if current_password is None:
            window = self.ctx.settings.step_up_window()
            if session and session["user_id"] == user_id and session["started_at"] >= self.ctx.now() - window:
                return
        check_current_password(self.ctx, user_id, current_password, STEP_UP)

    def mfa_setup(self, actor, choice, mobile=None, current_password=None) -> dict:
        account = self.ctx.usable_account(actor)
        sec = self.ctx.security(account.user_id)
        now = self.ctx.now()
        if choice == "later":
            sec["mfa"]["postponed_until"] = now + mfa.POSTPONE_SECONDS
            self.ctx.save_security(sec)
            return {"mfa_enabled": bool(sec["mfa"].get("enabled")),
                    "postponed_until": self.ctx.iso(now + mfa.POSTPONE_SECONDS)}
        if choice != "now":
            raise v.fail("choice", "field.not_one_of")
        self._step_up(actor, account.user_id, current_password)
        if mobile is None:
            mobile = sec["mfa"].get("mobile") or self.ctx.profile_mobile(account.user_id)
        if not isinstance(mobile, str) or not MOBILE_RE.fullmatch(mobile.strip()):
            raise v.fail("mobile", "field.required" if not mobile else "field.invalid_format")
        code, stored = mfa.new_challenge("sms", now)
        sec["mfa"]["setup"] = {**stored, "mobile": mobile.strip()}
        self.ctx.save_security(sec)
        self.ctx.send("mfa_code", account, {"code": code, "channel": "sms"}, mobile=mobile.strip())
        return {"code_sent": True, "channel": "sms", "expires_in": mfa.CODE_TTL}

    def mfa_confirm(self, actor, code) -> dict:
        account = self.ctx.usable_account(actor)
        sec = self.ctx.security(account.user_id)
        setup = sec["mfa"].get("setup")
        error, updated = mfa.check_code(setup, code, self.ctx.now())
        if error:
            if updated is not None:
                sec["mfa"]["setup"] = {**updated, "mobile": setup["mobile"]}
                self.ctx.save_security(sec)
            raise ValidationFailed(error, fields={"code": [error]})
        codes, hashes = mfa.new_recovery_codes()
        sec["mfa"].update(enabled=True, mobile=setup["mobile"], recovery=hashes, setup=None, postponed_until=None)
        self.ctx.save_security(sec)
        self._enabled(actor, account.user_id, "sms")
        return {"mfa_enabled": True, "channels": channels(sec), "recovery_codes": codes}

    def totp_enrol(self, actor, current_password=None) -> dict:
        account = self.ctx.usable_account(actor)
        sec = self.ctx.security(account.user_id)
        if not sec["mfa"].get("enabled"):
            raise Conflict("mfa.setup_required")
        self._step_up(actor, account.user_id, current_password)
        secret = pyotp.random_base32()
        sec["mfa"]["totp_pending"] = secret
        self.ctx.save_security(sec)
        uri = pyotp.TOTP(secret).provisioning_uri(name=account.email, issuer_name="IMS")
        return {"secret": secret, "otpauth_uri": uri}

    def totp_confirm(self, actor, code) -> dict:
        account = self.ctx.usable_account(actor)
        sec = self.ctx.security(account.user_id)
        pending = sec["mfa"].get("totp_pending")
        if not pending:
            raise Conflict("mfa.setup_required")
        error = check_totp(self.ctx, sec, pending, code)
        if error:
            raise ValidationFailed(error, fields={"code": [error]})
        sec["mfa"].update(totp_secret=pending, totp_pending=None)
        self.ctx.save_security(sec)
        self._enabled(actor, account.user_id, "totp")
        return {"totp_enabled": True, "channels": channels(sec)}

    def _enabled(self, actor, user_id: str, method: str) -> None:
        """MfaEnabled, and the end of every other session of the person: one opened before the
        change must sign in again, with the new factor."""
        self.sessions.end_all(user_id, S.MFA_CHANGED, actor, facts=[(MFA_ENABLED, {"user_id": user_id,
                                                                                   "method": method})],
                              keep=actor_dict(actor).get("session_id"))
