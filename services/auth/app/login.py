"""Signing in, the one way: identifier and password, with throttling and lockout per account (or
identifier) and per address (domain/lockout.py), then the second factor when the account has one.

  login_throttle  "acct:<user_id>" | "id:<identifier as typed>" | "ip:<address>": failures, lock;
                  "mfa:<user_id>": second-factor failures across sign-ins (only a right code resets
                  them, not a right password), with the password's slow-down; its lock locks the account
  mfa_challenges  one per password-verified sign-in waiting for its second factor (id in the mfa_token)

Unknown account, wrong password and inactive account get one answer, in about the same time (a hash
is verified in every case)."""
from __future__ import annotations

import math
import uuid
from typing import Optional

import jwt

from ims_common import validation as v
from ims_common.errors import Forbidden, Unauthorized
from services.auth.app.context import SYSTEM_ACTOR, Context
from services.auth.app.second_factor import channels, check_totp
from services.auth.app.sessions import Sessions
from services.auth.contract.events import ACCOUNT_LOCKED
from services.auth.domain import lockout, mfa
from services.auth.domain.account import Account

CHALLENGES = "mfa_challenges"
INVALID_CREDENTIALS = "auth.invalid_credentials"
THROTTLED, LOCKED = "auth.throttled", "auth.locked"
MFA_TOKEN_INVALID = "auth.mfa_token_invalid"
MFA_TOKEN_TTL = 600
MFA_AUDIENCE = "ims-mfa"          # never accepted where an access token ("ims") is expected
MAX_CODE_SENDS = 5
MAX_SECOND_FACTOR_FAILURES = 10


class Login:
    def __init__(self, ctx: Context, sessions: Sessions):
        self.ctx = ctx
        self.sessions = sessions

    def login(self, identifier, password, client_ip=None) -> dict:
        now = self.ctx.now()
        password = password if isinstance(password, str) else ""
        doc = self.ctx.view.for_login(identifier)
        keys = [lockout.identity_key(identifier, doc["user_id"] if doc else None), lockout.address_key(client_ip)]
        self.refuse_if_throttled(keys, now)
        password_hash = self.ctx.credentials.password_hash(doc["user_id"]) if doc else None
        if password_hash is None:
            self.ctx.hasher.burn(password)
            right = False
        else:
            right = self.ctx.hasher.verify(password_hash, password) and bool(doc.get("active"))
        if not right:
            self.record_failure(keys, doc, now)
            fields = {}
            if password != password.strip():   # from the input alone: says nothing about the account
                fields = {"password": ["auth.password_surrounding_spaces"]}
            raise Unauthorized(INVALID_CREDENTIALS, fields=fields)
        if self.ctx.throttle(keys[0]).get("locked"):
            # Only someone who knows the password learns of the lock; others keep getting
            # invalid_credentials (and slowing down), exactly as for an identifier that names nobody.
            raise Forbidden(LOCKED)
        for key in keys:
            self.ctx.save_throttle(key, lockout.record_success(self.ctx.throttle(key)))
        if self.ctx.hasher.needs_rehash(password_hash):   # same password, stronger parameters: no event
            self.ctx.credentials.set_password_hash(doc["user_id"], self.ctx.hasher.hash(password), self.ctx.iso())
        account = Account.from_dict(doc)
        if account.must_change_password:
            result = self.sessions.open(account, restricted=True)
            result["password_change_required"] = True
            return result
        sec = self.ctx.security(account.user_id)
        if sec["mfa"].get("enabled"):
            return self._start_second_factor(account, sec, now)
        result = self.sessions.open(account)
        postponed = sec["mfa"].get("postponed_until")
        result["mfa_setup_offered"] = not (postponed and postponed > now)
        return result

    # ---- throttling (also used by the password change) ----

    def refuse_if_throttled(self, keys: list[str], now: float) -> None:
        policies = (lockout.ACCOUNT, lockout.ADDRESS)
        wait = max(lockout.wait_seconds(self.ctx.throttle(k), p, now) for k, p in zip(keys, policies))
        if wait > 0:
            raise Unauthorized(THROTTLED, params={"retry_after": int(math.ceil(wait))})

    def record_failure(self, keys: list[str], doc: Optional[dict], now: float) -> None:
        for key, policy in zip(keys, (lockout.ACCOUNT, lockout.ADDRESS)):
            state, just_locked = lockout.record_failure(self.ctx.throttle(key), policy, now)
            self.ctx.save_throttle(key, state)
            if just_locked and doc is not None:
                self.ctx.append_to_account(doc["user_id"], [(ACCOUNT_LOCKED, {
                    "user_id": doc["user_id"], "failed_attempts": state["consecutive"]})], SYSTEM_ACTOR)

    # ---- the second factor ----

    def _second_factor_failed(self, account: Account, key: str, now: float) -> None:
        """One more wrong code for the account; the tenth in a row locks it as ten passwords would."""
        state, just_locked = lockout.record_failure(self.ctx.throttle(key), lockout.ACCOUNT, now)
        self.ctx.save_throttle(key, state)
        if just_locked:
            account_key = lockout.identity_key(None, account.user_id)
            self.ctx.save_throttle(account_key, lockout.lock(self.ctx.throttle(account_key), now))
            self.ctx.append_to_account(account.user_id, [(ACCOUNT_LOCKED, {
                "user_id": account.user_id, "failed_attempts": state["consecutive"]})], SYSTEM_ACTOR)

    def _start_second_factor(self, account: Account, sec: dict, now: float) -> dict:
        challenge_id = uuid.uuid4().hex
        self.ctx.docs.put(CHALLENGES, challenge_id, {"user_id": account.user_id, "expires_at": now + MFA_TOKEN_TTL,
                                                     "code": None, "sends": 0, "failures": 0, "done": False})
        kid, secret = list(self.ctx.settings.keys())[0]
        token = jwt.encode({"sub": account.user_id, "chl": challenge_id, "iat": int(now),
                            "exp": int(now) + MFA_TOKEN_TTL, "iss": "ims-auth", "aud": MFA_AUDIENCE},
                           secret, algorithm="HS256", headers={"kid": kid})
        return {"mfa_required": True, "mfa_token": token, "expires_in": MFA_TOKEN_TTL, "channels": channels(sec)}

    def _challenge(self, mfa_token) -> tuple[str, dict, Account, dict]:
        try:
            header = jwt.get_unverified_header(mfa_token)
            secret = dict(self.ctx.settings.keys()).get(header.get("kid"))
            if header.get("alg") != "HS256" or secret is None:
                raise jwt.InvalidTokenError("key")
            claims = jwt.decode(mfa_token, secret, algorithms=["HS256"], audience=MFA_AUDIENCE, issuer="ims-auth",
                                options={"require": ["exp", "sub", "chl"], "verify_exp": False,
                                         "verify_iat": False})   # time is checked below, by our clock
        except (jwt.PyJWTError, TypeError, ValueError):
            raise Unauthorized(MFA_TOKEN_INVALID) from None
        challenge = self.ctx.docs.get(CHALLENGES, claims["chl"]) if isinstance(claims.get("chl"), str) else None
        now = self.ctx.now()
        if (challenge is None or challenge["done"] or challenge["expires_at"] <= now or claims["exp"] <= now
                or challenge["user_id"] != claims["sub"] or challenge["failures"] >= MAX_SECOND_FACTOR_FAILURES):
            raise Unauthorized(MFA_TOKEN_INVALID)
        doc = self.ctx.view.get(challenge["user_id"])
        if not doc or not doc.get("active"):
            raise Unauthorized(MFA_TOKEN_INVALID)
        return claims["chl"], challenge, Account.from_dict(doc), self.ctx.security(challenge["user_id"])

    def mfa_send(self, mfa_token, channel) -> dict:
        challenge_id, challenge, account, sec = self._challenge(mfa_token)
        if channel not in ("sms", "email") or channel not in channels(sec):
            raise v.fail("channel", "mfa.channel_unavailable")
        if challenge["sends"] >= MAX_CODE_SENDS:
            raise Unauthorized(MFA_TOKEN_INVALID)
        code, stored = mfa.new_challenge(channel, self.ctx.now())
        self.ctx.docs.put(CHALLENGES, challenge_id, {**challenge, "code": stored, "sends": challenge["sends"] + 1})
        self.ctx.send("mfa_code", account, {"code": code, "channel": channel}, mobile=sec["mfa"].get("mobile"))
        return {"code_sent": True, "channel": channel, "expires_in": mfa.CODE_TTL}

    def mfa_verify(self, mfa_token, code, channel=None) -> dict:
        challenge_id, challenge, account, sec = self._challenge(mfa_token)
        now = self.ctx.now()
        key = lockout.second_factor_key(account.user_id)
        # The lock first: a locked account is told so, not to come back in some seconds (then refused).
        if self.ctx.throttle(lockout.identity_key(None, account.user_id)).get("locked"):
            raise Forbidden(LOCKED)
        wait = lockout.wait_seconds(self.ctx.throttle(key), lockout.ACCOUNT, now)
        if wait > 0:
            raise Unauthorized(THROTTLED, params={"retry_after": int(math.ceil(wait))})
        m = sec["mfa"]
        error = None
        if channel == "totp":
            error = check_totp(self.ctx, sec, m.get("totp_secret"), code)
        elif channel == "recovery":
            remaining = mfa.use_recovery_code(m.get("recovery") or [], code)
            if remaining is None:
                error = "mfa.invalid_code"
            else:
                m["recovery"] = remaining
                self.ctx.save_security(sec)
        elif channel in (None, "sms", "email"):
            code_challenge = challenge.get("code")
            if channel and code_challenge and code_challenge["channel"] != channel:
                code_challenge = None
            error, updated = mfa.check_code(code_challenge, code, self.ctx.now())
            challenge = {**challenge, "code": updated}
        else:
            raise v.fail("channel", "field.not_one_of")
        if error:
            self.ctx.docs.put(CHALLENGES, challenge_id, {**challenge, "failures": challenge["failures"] + 1})
            self._second_factor_failed(account, key, now)
            raise Unauthorized(error)
        self.ctx.save_throttle(key, lockout.record_success(self.ctx.throttle(key)))
        self.ctx.docs.put(CHALLENGES, challenge_id, {**challenge, "done": True})
        result = self.sessions.open(account)
        if channel == "recovery":
            result["recovery_codes_left"] = len(m.get("recovery") or [])
        return result
