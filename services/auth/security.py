"""Account security over AuthApp (no nameko): login with throttling and lockout, MFA, refresh
tokens, password change and reset, and coordinators' user management (deactivate, reactivate,
unlock, reset MFA). State that is not an event lives in the document store:

  login_throttle   "acct:<user_id>" | "id:<identifier as typed, normalized>" | "ip:<address>"
  auth_security    per account: MFA settings (mobile, TOTP secret, recovery code hashes, postponement)
  mfa_challenges   one per password-verified login waiting for its second factor (id in the mfa_token)
  refresh_tokens   key = sha256 of the token; family, user, expiry, used/revoked
  reset_tokens     key = sha256 of the emailed token; user, expiry; reset_used marks single use

Secrets (codes, links, temporary passwords) go to people through the AccountMessenger, never into
events. Events on the account's stream record the facts: PasswordChanged, AccountLocked,
AccountUnlocked, AccountDeactivated, AccountReactivated, MfaEnabled, MfaReset ({"user_id"}...)."""
from __future__ import annotations

import hashlib
import math
import re
import secrets
import uuid
from datetime import datetime, timezone
from typing import Callable, Optional

import jwt
import pyotp

from gateway.contract import links
from ims_common import config
from ims_common.docstore.port import DuplicateKeyError
from ims_common.envelope import NewEvent
from ims_common.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from ims_common.eventstore.port import ConcurrencyError
from services.auth.adapters.messenger import AccountMessenger, RecordingMessenger
from services.auth.adapters.strength import zxcvbn_rating
from ims_common.tokens import issue_token
from services.auth.app import AuthApp, INVALID_CREDENTIALS, _iso
from services.auth.domain import lockout, mfa
from services.auth.domain import password_policy as policy
from services.auth.domain import roles as R
from services.auth.domain import validation as v
from services.auth.domain.account import Account, stream_id

THROTTLE, SECURITY, CHALLENGES = "login_throttle", "auth_security", "mfa_challenges"
REFRESH, RESET, RESET_USED = "refresh_tokens", "reset_tokens", "reset_used"
THROTTLED, LOCKED = "auth.throttled", "auth.locked"
RESET_INVALID, REFRESH_INVALID, MFA_TOKEN_INVALID = "auth.reset_link_invalid", "auth.refresh_invalid", "auth.mfa_token_invalid"
RESET_TTL = 3600
MFA_TOKEN_TTL = 600
MFA_AUDIENCE = "ims-mfa"          # never accepted where an access token ("ims") is expected
MAX_CODE_SENDS = 5
MAX_SECOND_FACTOR_FAILURES = 10
FORGOT_PER_HOUR = 3
MOBILE_RE = re.compile(r"\+?[0-9][0-9 ().-]{8,20}")

ACCOUNT_LOCKED, ACCOUNT_UNLOCKED = "AccountLocked", "AccountUnlocked"
ACCOUNT_DEACTIVATED, ACCOUNT_REACTIVATED = "AccountDeactivated", "AccountReactivated"
MFA_ENABLED, MFA_RESET, PASSWORD_CHANGED = "MfaEnabled", "MfaReset", "PasswordChanged"


def _h(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _actor(actor) -> dict:
    return actor if isinstance(actor, dict) else {}


def refresh_ttl_seconds() -> int:
    import os
    return int(os.environ.get("IMS_REFRESH_TOKEN_TTL", str(7 * 24 * 3600)))


class AuthSecurity:
    def __init__(self, auth: AuthApp, messenger: Optional[AccountMessenger] = None,
                 estimator: Callable = zxcvbn_rating, public_url: Optional[Callable[[], str]] = None):
        self.auth = auth
        self.docs = auth.docs
        self.events = auth.events
        self.clock = auth.clock
        self.messenger = messenger or RecordingMessenger()
        self.estimator = estimator
        self.public_url = public_url or config.public_url
        for collection, fields in ((REFRESH, ["user_id"]), (REFRESH, ["family"]), (RESET, ["user_id"])):
            self.docs.ensure_index(collection, fields)

    def _now(self) -> float:
        return self.clock().timestamp()

    # ================= login =================

    def login(self, identifier, password, client_ip=None) -> dict:
        now = self._now()
        password = password if isinstance(password, str) else ""
        doc = self.auth._find_for_login(identifier)
        keys = [self._identity_key(identifier, doc), "ip:" + (client_ip if isinstance(client_ip, str) and client_ip else "-")]
        self._refuse_if_throttled(keys, now)
        password_hash = self.auth.credentials.password_hash(doc["user_id"]) if doc else None
        if password_hash is None:
            self.auth.hasher.burn(password)
            right = False
        else:
            right = self.auth.hasher.verify(password_hash, password) and bool(doc.get("active"))
        if not right:
            self._record_failure(keys, doc, now)
            fields = {}
            if password != password.strip():   # from the input alone: says nothing about the account
                fields = {"password": ["auth.password_surrounding_spaces"]}
            raise Unauthorized(INVALID_CREDENTIALS, fields=fields)
        acct_state = self.docs.get(THROTTLE, keys[0]) or {}
        if acct_state.get("locked"):
            # Only someone who knows the password learns of the lock; others keep getting
            # invalid_credentials (and slowing down), exactly as for an identifier that names nobody.
            raise Forbidden(LOCKED)
        for key in keys:
            self.docs.put(THROTTLE, key, {**lockout.record_success(self.docs.get(THROTTLE, key)), "key": key})
        if self.auth.hasher.needs_rehash(password_hash):
            self.auth.credentials.set_password_hash(doc["user_id"], self.auth.hasher.hash(password), _iso(self.clock()))
        account = Account.from_dict(doc)
        if account.must_change_password:
            result = self._access(account, restricted=True)
            result["password_change_required"] = True
            return result
        sec = self._security(account.user_id)
        if sec["mfa"].get("enabled"):
            return self._start_second_factor(account, sec, now)
        result = self._session(account)
        postponed = sec["mfa"].get("postponed_until")
        result["mfa_setup_offered"] = not (postponed and postponed > now)
        return result

    @staticmethod
    def _identity_key(identifier, doc) -> str:
        if doc:
            return "acct:" + doc["user_id"]
        ident = identifier.strip().lower() if isinstance(identifier, str) else ""
        return "id:" + ident[:254]

    def _refuse_if_throttled(self, keys: list[str], now: float) -> None:
        pols = (lockout.ACCOUNT, lockout.ADDRESS)
        wait = max(lockout.wait_seconds(self.docs.get(THROTTLE, k), p, now) for k, p in zip(keys, pols))
        if wait > 0:
            raise Unauthorized(THROTTLED, params={"retry_after": int(math.ceil(wait))})

    def _record_failure(self, keys: list[str], doc: Optional[dict], now: float) -> None:
        for key, pol in zip(keys, (lockout.ACCOUNT, lockout.ADDRESS)):
            state, just_locked = lockout.record_failure(self.docs.get(THROTTLE, key), pol, now)
            self.docs.put(THROTTLE, key, {**state, "key": key})
            if just_locked and doc is not None:
                self._append(doc["user_id"], ACCOUNT_LOCKED, {"user_id": doc["user_id"],
                                                                "failed_attempts": state["consecutive"]},
                             {"user_id": "system", "role": "system"})

    # ================= sessions and refresh tokens =================

    def _access(self, account: Account, restricted: bool = False) -> dict:
        ttl = config.access_token_ttl_seconds()
        token = issue_token(sub=account.user_id, role=account.default_role, name=account.display_name,
                            est=account.establishment, lang=account.display_language, keys=self.auth.keys(),
                            ttl_seconds=ttl, now=self._now(), extra_claims={"mcp": bool(restricted)})
        return {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "user": account.to_dict()}

    def _session(self, account: Account, family: Optional[str] = None) -> dict:
        result = self._access(account)
        refresh, ttl = secrets.token_urlsafe(32), refresh_ttl_seconds()
        self.docs.put(REFRESH, _h(refresh), {"key": _h(refresh), "user_id": account.user_id, "family": family or uuid.uuid4().hex,
                                             "expires_at": self._now() + ttl, "used": False, "revoked": False})
        result.update(refresh_token=refresh, refresh_expires_in=ttl)
        return result

    def refresh(self, refresh_token) -> dict:
        key = _h(refresh_token) if isinstance(refresh_token, str) and refresh_token else None
        doc = self.docs.get(REFRESH, key) if key else None
        if doc is None:
            raise Unauthorized(REFRESH_INVALID)
        if doc.get("used") or doc.get("revoked"):
            self._revoke(family=doc["family"])     # an old token came back: the family may be stolen
            raise Unauthorized(REFRESH_INVALID)
        if doc["expires_at"] <= self._now():
            raise Unauthorized(REFRESH_INVALID)
        account_doc = self.auth.view.get(doc["user_id"])
        state = self.docs.get(THROTTLE, "acct:" + doc["user_id"]) or {}
        if not account_doc or not account_doc.get("active") or state.get("locked"):
            self._revoke(user_id=doc["user_id"])
            raise Unauthorized(REFRESH_INVALID)
        self.docs.put(REFRESH, key, {**doc, "used": True})
        return self._session(Account.from_dict(account_doc), family=doc["family"])

    def logout(self, refresh_token) -> dict:
        key = _h(refresh_token) if isinstance(refresh_token, str) and refresh_token else None
        doc = self.docs.get(REFRESH, key) if key else None
        if doc is not None:
            self._revoke(family=doc["family"])
        return {"logged_out": True}

    def _revoke(self, family: Optional[str] = None, user_id: Optional[str] = None) -> int:
        where = {"family": family} if family else {"user_id": user_id}
        count = 0
        for doc in self.docs.find(REFRESH, {**where, "revoked": False}):
            self.docs.put(REFRESH, doc["key"], {**doc, "revoked": True})
            count += 1
        return count

    # ================= MFA at login =================

    def _channels(self, account: Account, sec: dict) -> list[str]:
        m = sec["mfa"]
        channels = (["sms"] if m.get("mobile") else []) + ["email"]
        if m.get("totp_secret"):
            channels.append("totp")
        if m.get("recovery"):
            channels.append("recovery")
        return channels

    def _start_second_factor(self, account: Account, sec: dict, now: float) -> dict:
        challenge_id = uuid.uuid4().hex
        self.docs.put(CHALLENGES, challenge_id, {"user_id": account.user_id, "expires_at": now + MFA_TOKEN_TTL,
                                                 "code": None, "sends": 0, "failures": 0, "done": False})
        kid, secret = list(self.auth.keys())[0]
        token = jwt.encode({"sub": account.user_id, "chl": challenge_id, "iat": int(now),
                            "exp": int(now) + MFA_TOKEN_TTL, "iss": "ims-auth", "aud": MFA_AUDIENCE},
                           secret, algorithm="HS256", headers={"kid": kid})
        return {"mfa_required": True, "mfa_token": token, "expires_in": MFA_TOKEN_TTL,
                "channels": self._channels(account, sec)}

    def _challenge(self, mfa_token) -> tuple[str, dict, Account, dict]:
        try:
            header = jwt.get_unverified_header(mfa_token)
            secret = dict(self.auth.keys()).get(header.get("kid"))
            if header.get("alg") != "HS256" or secret is None:
                raise jwt.InvalidTokenError("key")
            claims = jwt.decode(mfa_token, secret, algorithms=["HS256"], audience=MFA_AUDIENCE, issuer="ims-auth",
                                options={"require": ["exp", "sub", "chl"], "verify_exp": False,
                                         "verify_iat": False})   # time is checked below, by our clock
        except (jwt.PyJWTError, TypeError, ValueError):
            raise Unauthorized(MFA_TOKEN_INVALID) from None
        challenge = self.docs.get(CHALLENGES, claims["chl"]) if isinstance(claims.get("chl"), str) else None
        if (challenge is None or challenge["done"] or challenge["expires_at"] <= self._now()
                or claims["exp"] <= self._now() or challenge["user_id"] != claims["sub"]
                or challenge["failures"] >= MAX_SECOND_FACTOR_FAILURES):
            raise Unauthorized(MFA_TOKEN_INVALID)
        doc = self.auth.view.get(challenge["user_id"])
        if not doc or not doc.get("active"):
            raise Unauthorized(MFA_TOKEN_INVALID)
        return claims["chl"], challenge, Account.from_dict(doc), self._security(challenge["user_id"])

    def mfa_send(self, mfa_token, channel) -> dict:
        challenge_id, challenge, account, sec = self._challenge(mfa_token)
        if channel not in ("sms", "email") or channel not in self._channels(account, sec):
            raise ValidationFailed(v.VALIDATION_FAILED, fields={"channel": ["mfa.channel_unavailable"]})
        if challenge["sends"] >= MAX_CODE_SENDS:
            raise Unauthorized(MFA_TOKEN_INVALID)
        code, stored = mfa.new_challenge(channel, self._now())
        self.docs.put(CHALLENGES, challenge_id, {**challenge, "code": stored, "sends": challenge["sends"] + 1})
        self._send("mfa_code", account, {"code": code, "channel": channel}, mobile=sec["mfa"].get("mobile"))
        return {"code_sent": True, "channel": channel, "expires_in": mfa.CODE_TTL}

    def mfa_verify(self, mfa_token, code, channel=None) -> dict:
        challenge_id, challenge, account, sec = self._challenge(mfa_token)
        m = sec["mfa"]
        error = None
        if channel == "totp":
            error = self._check_totp(account.user_id, sec, m.get("totp_secret"), code, "totp_last_step")
        elif channel == "recovery":
            remaining = mfa.use_recovery_code(m.get("recovery") or [], code)
            if remaining is None:
                error = "mfa.invalid_code"
            else:
                m["recovery"] = remaining
                self._save_security(sec)
        elif channel in (None, "sms", "email"):
            code_challenge = challenge.get("code")
            if channel and code_challenge and code_challenge["channel"] != channel:
                code_challenge = None
            error, updated = mfa.check_code(code_challenge, code, self._now())
            challenge = {**challenge, "code": updated}
        else:
            raise ValidationFailed(v.VALIDATION_FAILED, fields={"channel": ["field.not_one_of"]})
        if error:
            challenge = {**challenge, "failures": challenge["failures"] + 1}
            self.docs.put(CHALLENGES, challenge_id, challenge)
            raise Unauthorized(error)
        self.docs.put(CHALLENGES, challenge_id, {**challenge, "done": True})
        result = self._session(account)
        if channel == "recovery":
            result["recovery_codes_left"] = len(m.get("recovery") or [])
        return result

    def _check_totp(self, user_id, sec, secret, code, last_key) -> Optional[str]:
        if not secret:
            return "mfa.channel_unavailable"
        code = code.strip().replace(" ", "") if isinstance(code, str) else ""
        if not re.fullmatch(r"[0-9]{6}", code):
            return "mfa.invalid_code"
        totp, now = pyotp.TOTP(secret), self._now()
        for offset in (0, -1, 1):
            step = int(now // 30) + offset
            if secrets.compare_digest(totp.at(step * 30), code):
                if step <= (sec["mfa"].get(last_key) or -1):
                    return "mfa.code_used"
                sec["mfa"][last_key] = step
                self._save_security(sec)
                return None
        return "mfa.invalid_code"

    # ================= MFA set-up (signed-in person) =================

    def mfa_setup(self, actor, choice, mobile=None) -> dict:
        account, sec = self._me(actor)
        now = self._now()
        if choice == "later":
            sec["mfa"]["postponed_until"] = now + mfa.POSTPONE_SECONDS
            self._save_security(sec)
            return {"mfa_enabled": bool(sec["mfa"].get("enabled")),
                    "postponed_until": _iso(datetime.fromtimestamp(now + mfa.POSTPONE_SECONDS, timezone.utc))}
        if choice != "now":
            raise ValidationFailed(v.VALIDATION_FAILED, fields={"choice": ["field.not_one_of"]})
        mobile = mobile if mobile is not None else (sec["mfa"].get("mobile") or self._profile_mobile(account.user_id))
        if not isinstance(mobile, str) or not MOBILE_RE.fullmatch(mobile.strip()):
            raise ValidationFailed(v.VALIDATION_FAILED, fields={"mobile": ["field.required" if not mobile else "field.invalid_format"]})
        code, stored = mfa.new_challenge("sms", now)
        sec["mfa"]["setup"] = {**stored, "mobile": mobile.strip()}
        self._save_security(sec)
        # The first code always goes by SMS to the mobile number (the deck, the FAQ).
        self._send("mfa_code", account, {"code": code, "channel": "sms"}, mobile=mobile.strip())
        return {"code_sent": True, "channel": "sms", "expires_in": mfa.CODE_TTL}

    def mfa_confirm(self, actor, code) -> dict:
        account, sec = self._me(actor)
        setup = sec["mfa"].get("setup")
        error, updated = mfa.check_code(setup, code, self._now())
        if error:
            if updated is not None:
                sec["mfa"]["setup"] = {**updated, "mobile": setup["mobile"]}
                self._save_security(sec)
            raise ValidationFailed(error, fields={"code": [error]})
        codes, hashes = mfa.new_recovery_codes()
        sec["mfa"].update(enabled=True, mobile=setup["mobile"], recovery=hashes, setup=None, postponed_until=None)
        self._save_security(sec)
        self._append(account.user_id, MFA_ENABLED, {"user_id": account.user_id}, actor)
        return {"mfa_enabled": True, "channels": self._channels(account, sec), "recovery_codes": codes}

    def totp_enrol(self, actor) -> dict:
        account, sec = self._me(actor)
        if not sec["mfa"].get("enabled"):
            raise Conflict("mfa.setup_required")
        secret = pyotp.random_base32()
        sec["mfa"]["totp_pending"] = secret
        self._save_security(sec)
        uri = pyotp.TOTP(secret).provisioning_uri(name=account.email, issuer_name="IMS")
        return {"secret": secret, "otpauth_uri": uri}

    def totp_confirm(self, actor, code) -> dict:
        account, sec = self._me(actor)
        pending = sec["mfa"].get("totp_pending")
        if not pending:
            raise Conflict("mfa.setup_required")
        error = self._check_totp(account.user_id, sec, pending, code, "totp_last_step")
        if error:
            raise ValidationFailed(error, fields={"code": [error]})
        sec["mfa"].update(totp_secret=pending, totp_pending=None)
        self._save_security(sec)
        return {"totp_enabled": True, "channels": self._channels(account, sec)}

    # ================= passwords =================

    def change_password(self, actor, current, new, confirm) -> dict:
        account, _ = self._me(actor)
        now = self._now()
        key = "acct:" + account.user_id
        self._refuse_if_throttled([key, "ip:-change"], now)
        password_hash = self.auth.credentials.password_hash(account.user_id)
        if not isinstance(current, str) or not password_hash or not self.auth.hasher.verify(password_hash, current):
            state, _ = lockout.record_failure(self.docs.get(THROTTLE, key), lockout.ACCOUNT, now)
            self.docs.put(THROTTLE, key, {**state, "key": key})
            raise ValidationFailed(v.VALIDATION_FAILED, fields={"current_password": ["auth.wrong_current_password"]})
        self._check_new_password(account, new, confirm, current)
        self._set_password(account, new, actor)
        return {"password_changed": True}

    def forgot_password(self, email, client_ip=None) -> dict:
        """The same answer whether or not the address names an account."""
        normalized = v.normalize_email(email)
        doc = self.auth.view.by_email(normalized) if normalized else None
        if doc and doc.get("active"):
            now = self._now()
            recent = [d for d in self.docs.find(RESET, {"user_id": doc["user_id"]}) if d["created_at"] > now - 3600]
            if len(recent) < FORGOT_PER_HOUR:   # beyond: silently nothing (no mail bombing)
                token = secrets.token_urlsafe(32)
                self.docs.put(RESET, _h(token), {"user_id": doc["user_id"], "created_at": now,
                                                 "expires_at": now + RESET_TTL})
                url = links.link("password_reset", self.public_url(), query={"token": token})
                self._send("reset_link", Account.from_dict(doc), {"url": url, "link": url})
        return {"accepted": True}

    def reset_password(self, token, new, confirm) -> dict:
        key = _h(token) if isinstance(token, str) and token else None
        doc = self.docs.get(RESET, key) if key else None
        if doc is None or doc["expires_at"] <= self._now() or self.docs.get(RESET_USED, key):
            raise ValidationFailed(RESET_INVALID, fields={"token": [RESET_INVALID]})
        account_doc = self.auth.view.get(doc["user_id"])
        if not account_doc or not account_doc.get("active"):
            raise ValidationFailed(RESET_INVALID, fields={"token": [RESET_INVALID]})
        account = Account.from_dict(account_doc)
        self._check_new_password(account, new, confirm)   # a refused password does not spend the link
        try:
            self.docs.insert(RESET_USED, key, {"used_at": self._now()})
        except DuplicateKeyError:
            raise ValidationFailed(RESET_INVALID, fields={"token": [RESET_INVALID]}) from None
        self._set_password(account, new, {"user_id": account.user_id, "role": account.default_role})
        # The emailed link proves the mailbox: it lifts a lock as a coordinator would.
        self._unlock(account.user_id, {"user_id": account.user_id, "role": account.default_role})
        return {"password_reset": True}

    def _check_new_password(self, account: Account, new, confirm, current=None) -> None:
        words = [account.first_name, account.last_name, account.email, account.email.split("@")[0], account.user_id]
        found = policy.new_password_reasons(new, confirm, words, self.estimator, current)
        if found:
            raise ValidationFailed(policy.WEAK if "new_password" in found else "password.mismatch",
                                   params={"reasons": [dict(r, field=f) for f, rs in found.items() for r in rs]},
                                   fields={f: [r["code"] for r in rs] for f, rs in found.items()})

    def _set_password(self, account: Account, new: str, actor: dict) -> None:
        self.auth.credentials.set_password_hash(account.user_id, self.auth.hasher.hash(new), _iso(self.clock()))
        self._append(account.user_id, PASSWORD_CHANGED, {"user_id": account.user_id}, actor)
        self._revoke(user_id=account.user_id)     # every session of the account ends
        self._send("password_changed", account, {})

    def password_reasons(self, password, personal_words=()) -> list[dict]:
        return policy.reasons(password, personal_words, self.estimator)

    # ================= accounts: creation, views, user management =================

    def create_account(self, actor, fields) -> dict:
        fields_ = fields if isinstance(fields, dict) else {}
        if isinstance(fields_.get("password"), str):
            words = [fields_.get(k) for k in ("first_name", "last_name", "email")]
            found = policy.reasons(fields_["password"], words, self.estimator)
            if found and all(r["code"] == "password.too_guessable" for r in found):
                raise ValidationFailed(v.VALIDATION_FAILED, params={"reasons": found},
                                       fields={"password": [policy.WEAK, "password.too_guessable"]})
        account = self.auth.create_account(actor, fields)
        temporary = account.pop("temporary_password", None)
        if temporary:
            link = links.link("login", self.public_url())
            self._send("temporary_password", Account.from_dict(self.auth.view.get(account["user_id"])),
                       {"user_id": account["user_id"], "password": temporary, "link": link})
        return account

    def get_account(self, actor, user_id) -> dict:
        account = self.auth.get_account(actor, user_id)
        return self._decorate(actor, account)

    def list_accounts(self, actor, query) -> dict:
        page = self.auth.list_accounts(actor, query)
        page["items"] = [self._decorate(actor, a) for a in page["items"]]
        return page

    def _decorate(self, actor, account: dict) -> dict:
        """Coordinators see the lock and the MFA state of an account."""
        if R.is_staff(_actor(actor).get("role")):
            state = self.docs.get(THROTTLE, "acct:" + account["user_id"]) or {}
            locked_at = state.get("locked_at")
            account.update(locked=bool(state.get("locked")), failed_attempts=int(state.get("consecutive") or 0),
                           locked_at=_iso(datetime.fromtimestamp(locked_at, timezone.utc)) if locked_at else None,
                           mfa_enabled=bool(self._security(account["user_id"])["mfa"].get("enabled")))
        return account

    def _staff_target(self, actor, user_id) -> tuple[dict, Account]:
        actor = _actor(actor)
        if not R.is_staff(actor.get("role")):
            raise Forbidden("auth.forbidden")
        uid = user_id.strip().upper() if isinstance(user_id, str) else ""
        doc = self.auth.view.get(uid) if uid else None
        if doc is None:
            raise NotFound("account.not_found")
        target = Account.from_dict(doc)
        if R.ADMIN in target.roles and actor.get("role") != R.ADMIN:
            raise Forbidden("auth.forbidden")
        return actor, target

    def deactivate(self, actor, user_id) -> dict:
        actor, target = self._staff_target(actor, user_id)
        if target.user_id == actor.get("user_id"):
            raise Conflict("account.cannot_deactivate_self")
        if target.active:
            self._append(target.user_id, ACCOUNT_DEACTIVATED, {"user_id": target.user_id}, actor)
        self._revoke(user_id=target.user_id)
        return self.get_account(actor, target.user_id)

    def reactivate(self, actor, user_id) -> dict:
        actor, target = self._staff_target(actor, user_id)
        if not target.active:
            self._append(target.user_id, ACCOUNT_REACTIVATED, {"user_id": target.user_id}, actor)
        return self.get_account(actor, target.user_id)

    def unlock(self, actor, user_id) -> dict:
        actor, target = self._staff_target(actor, user_id)
        self._unlock(target.user_id, actor)
        return self.get_account(actor, target.user_id)

    def reset_mfa(self, actor, user_id) -> dict:
        actor, target = self._staff_target(actor, user_id)
        self.docs.put(SECURITY, target.user_id, {"user_id": target.user_id, "mfa": {}})
        self._append(target.user_id, MFA_RESET, {"user_id": target.user_id}, actor)
        return self.get_account(actor, target.user_id)

    def _unlock(self, user_id: str, actor: dict) -> None:
        key = "acct:" + user_id
        state = self.docs.get(THROTTLE, key) or {}
        self.docs.put(THROTTLE, key, {**lockout.unlock(state), "key": key})
        if state.get("locked"):
            self._append(user_id, ACCOUNT_UNLOCKED, {"user_id": user_id}, actor)

    # ================= internals =================

    def _me(self, actor) -> tuple[Account, dict]:
        uid = _actor(actor).get("user_id")
        doc = self.auth.view.get(uid) if isinstance(uid, str) and uid else None
        if not doc or not doc.get("active"):
            raise Unauthorized("auth.token_invalid")
        return Account.from_dict(doc), self._security(uid)

    def _security(self, user_id: str) -> dict:
        sec = self.docs.get(SECURITY, user_id) or {"user_id": user_id}
        sec.setdefault("mfa", {})
        return sec

    def _save_security(self, sec: dict) -> None:
        self.docs.put(SECURITY, sec["user_id"], sec)

    def _profile_mobile(self, user_id: str) -> Optional[str]:
        try:   # the profile (issue 3, profiles part) may know the mobile number
            profile = self.docs.get("profiles", user_id) or {}
        except Exception:  # noqa: BLE001
            return None
        mobile = profile.get("mobile")
        return mobile if isinstance(mobile, str) and mobile else None

    def _send(self, kind: str, account: Account, params: dict, mobile: Optional[str] = None) -> None:
        recipient = {"user_id": account.user_id, "email": account.email,
                     "mobile": mobile or self._security(account.user_id)["mfa"].get("mobile")
                     or self._profile_mobile(account.user_id), "lang": account.display_language}
        self.messenger.send(kind, recipient, params)

    def _append(self, user_id: str, type_: str, data: dict, actor: dict) -> None:
        actor = _actor(actor)
        sid = stream_id(user_id)
        for _ in range(3):
            try:
                self.events.append(sid, self.events.stream_version(sid),
                                   [NewEvent(type_, data, actor={"user_id": actor.get("user_id"),
                                                                 "role": actor.get("role")},
                                             occurred_at=_iso(self.clock()))])
                break
            except ConcurrencyError:
                continue
        else:
            raise Conflict("concurrency.conflict")
        self.auth.view.refresh(user_id)
