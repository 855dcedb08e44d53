"""Sessions: what a sign-in opens (an access token carrying the session's id, claim `sid`, and for a full
session a refresh token of the family with the same id), refresh with rotation, sign-out, and the end
of sessions. Each end is a SessionsRevoked event (contract/revocations.py) that every gateway
consumes, so the access tokens concerned are refused at once rather than at their expiry.

  sessions        sid -> {sid, user_id, started_at, restricted, active_until, ended_at, end_reason}
  refresh_tokens  key = sha256 of the token: {user_id, family (= sid), expires_at, used, revoked}
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Iterable, Optional

from ims_common.envelope import NewEvent
from ims_common.errors import Unauthorized
from ims_common.eventstore.port import ConcurrencyError
from ims_common.tokens import issue_token
from services.auth.app.context import SYSTEM_ACTOR, Context, actor_dict
from services.auth.contract.events import SESSION_STREAM, SESSIONS_REVOKED
from services.auth.domain import sessions as S
from services.auth.domain.account import Account

SESSIONS, REFRESH = "sessions", "refresh_tokens"
REFRESH_INVALID = "auth.refresh_invalid"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        for collection, fields in ((REFRESH, ["user_id"]), (REFRESH, ["family"]), (SESSIONS, ["user_id"])):
            ctx.docs.ensure_index(collection, fields)

    # ---- opening and renewing ----

    def policy(self) -> dict:
        """What the session policy is (policy data), for pages to say it: the idle timeout (an unused
        refresh token dies) and the absolute lifetime from the sign-in, in seconds."""
        return {"idle_timeout": self.ctx.settings.refresh_ttl(), "lifetime": self.ctx.settings.session_lifetime()}

    def open(self, account: Account, restricted: bool = False) -> dict:
        """A new session. Restricted (a temporary password): an access token that serves only to
        change the password, and no refresh token."""
        sid, now = uuid.uuid4().hex, self.ctx.now()
        ends_at = now + self.ctx.settings.session_lifetime()
        self.ctx.docs.put(SESSIONS, sid, {"sid": sid, "user_id": account.user_id, "started_at": now,
                                          "restricted": restricted,
                                          "active_until": self._active_until(restricted, ends_at),
                                          "ended_at": None, "end_reason": None})
        result = self._access(account, sid, restricted, ends_at)
        if not restricted:
            result.update(self._new_refresh_token(account.user_id, sid, ends_at))
        return result

    def refresh(self, refresh_token) -> dict:
        key, doc = self._refresh_doc(refresh_token)
        if doc is None:
            raise Unauthorized(REFRESH_INVALID)
        user_id, sid = doc["user_id"], doc["family"]
        if doc.get("used") or doc.get("revoked"):
            self.end(user_id, sid, S.REFRESH_REUSE)    # an old token came back: the family may be stolen
            raise Unauthorized(REFRESH_INVALID)
        if doc["expires_at"] <= self.ctx.now():
            raise Unauthorized(REFRESH_INVALID)
        account_doc = self.ctx.view.get(user_id)
        if not account_doc or not account_doc.get("active") or self.ctx.throttle("acct:" + user_id).get("locked"):
            self.end(user_id, sid, S.ACCOUNT_UNUSABLE)
            raise Unauthorized(REFRESH_INVALID)
        session = self.ctx.docs.get(SESSIONS, sid)
        ends_at = (session["started_at"] if session else self.ctx.now()) + self.ctx.settings.session_lifetime()
        if ends_at <= self.ctx.now():           # the absolute lifetime: no refresh carries it further
            self.end(user_id, sid, S.LIFETIME_OVER)
            raise Unauthorized(REFRESH_INVALID)
        self.ctx.docs.put(REFRESH, key, {**doc, "used": True})
        if session is not None:
            self.ctx.docs.put(SESSIONS, sid, {**session, "active_until": self._active_until(False, ends_at)})
        account = Account.from_dict(account_doc)
        result = self._access(account, sid, False, ends_at)
        result.update(self._new_refresh_token(user_id, sid, ends_at))
        return result

    def _access(self, account: Account, sid: str, restricted: bool, ends_at: float) -> dict:
        ttl = max(1, min(self.ctx.settings.access_ttl(), int(ends_at - self.ctx.now())))
        token = issue_token(sub=account.user_id, role=account.default_role, name=account.display_name,
                            est=account.establishment, lang=account.display_language, keys=self.ctx.settings.keys(),
                            ttl_seconds=ttl, now=self.ctx.now(),
                            # the gateway lets a restricted token (mcp) do nothing but change the password
                            # and the session's limits, for pages to show them: its absolute end (sxp, epoch
                            # seconds) and the idle timeout (sit, seconds; none without refresh token)
                            extra_claims={"mcp": bool(restricted), "sid": sid, "sxp": int(ends_at),
                                          "sit": None if restricted else self.ctx.settings.refresh_ttl()})
        return {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "user": account.to_dict(),
                "session_expires_in": int(ends_at - self.ctx.now())}

    def _new_refresh_token(self, user_id: str, family: str, ends_at: float) -> dict:
        """Valid for the idle timeout, never beyond the session's absolute end."""
        token = secrets.token_urlsafe(32)
        ttl = max(1, min(self.ctx.settings.refresh_ttl(), int(ends_at - self.ctx.now())))
        key = token_hash(token)
        self.ctx.docs.put(REFRESH, key, {"key": key, "user_id": user_id, "family": family,
                                         "expires_at": self.ctx.now() + ttl, "used": False, "revoked": False})
        return {"refresh_token": token, "refresh_expires_in": ttl}

    def _active_until(self, restricted: bool, ends_at: float) -> float:
        """After this, no token of the session can be valid (unless a refresh extends it, up to ends_at)."""
        ttl = self.ctx.settings.access_ttl() + (0 if restricted else self.ctx.settings.refresh_ttl())
        return min(self.ctx.now() + ttl, ends_at)

    def _refresh_doc(self, refresh_token) -> tuple[Optional[str], Optional[dict]]:
        key = token_hash(refresh_token) if isinstance(refresh_token, str) and refresh_token else None
        return key, (self.ctx.docs.get(REFRESH, key) if key else None)

    # ---- ending ----

    def logout(self, refresh_token, actor=None) -> dict:
        """Ends the session of the refresh token, and the caller's own (`session_id` of the actor the
        gateway built from the access token), which a restricted session has without refresh token."""
        _, doc = self._refresh_doc(refresh_token)
        if doc is not None:
            self.end(doc["user_id"], doc["family"], S.LOGOUT)
        actor = actor_dict(actor)
        sid, user_id = actor.get("session_id"), actor.get("user_id")
        if isinstance(sid, str) and sid and (doc is None or sid != doc["family"]):
            session = self.ctx.docs.get(SESSIONS, sid)
            if session is not None and session["user_id"] == user_id:
                self.end(user_id, sid, S.LOGOUT, actor)
        return {"logged_out": True}

    def end(self, user_id: str, sid: str, reason: str, actor=None) -> None:
        """Ends one session: its refresh tokens die, and SessionsRevoked on the stream session-<sid>
        (one per session: a second end changes nothing) ends its access tokens at every gateway."""
        self._revoke_refresh_tokens({"family": sid})
        self._mark_ended([sid], reason)
        data = S.sessions_revoked(user_id, [sid], reason, self.ctx.now(), self.ctx.settings.access_ttl(),
                                  everything_before=False)
        who = actor_dict(actor) or SYSTEM_ACTOR
        try:
            self.ctx.events.append(SESSION_STREAM + sid, 0, [NewEvent(
                SESSIONS_REVOKED, data, actor={"user_id": who.get("user_id"), "role": who.get("role")},
                occurred_at=self.ctx.iso())])
        except ConcurrencyError:
            pass

    def end_all(self, user_id: str, reason: str, actor, facts: Iterable[tuple[str, dict]] = (),
                keep: Optional[str] = None) -> None:
        """Ends every session of the account but `keep` (the caller's own, when the person changed
        something of theirs that proves who they are), in one append with the facts that caused it.
        Without `keep`, every access token of the account issued until now is refused too."""
        ended = S.others(self.live_sessions(user_id), keep)
        self._revoke_refresh_tokens({"user_id": user_id}, keep_family=keep)
        self._mark_ended(ended, reason)
        facts = list(facts)
        if keep is None or ended:
            facts.append((SESSIONS_REVOKED, S.sessions_revoked(
                user_id, ended, reason, self.ctx.now(), self.ctx.settings.access_ttl(),
                everything_before=keep is None)))
        if facts:
            self.ctx.append_to_account(user_id, facts, actor)

    def live_sessions(self, user_id: str) -> list[str]:
        """Sessions of the account that may still have a valid token."""
        now = self.ctx.now()
        sids = {d["sid"] for d in self.ctx.docs.find(SESSIONS, {"user_id": user_id, "ended_at": None,
                                                                 "active_until": {"gt": now}})}
        # refresh families opened before sessions were recorded
        sids |= {d["family"] for d in self.ctx.docs.find(REFRESH, {"user_id": user_id, "revoked": False,
                                                                    "used": False, "expires_at": {"gt": now}})}
        return sorted(sids)

    def _revoke_refresh_tokens(self, where: dict, keep_family: Optional[str] = None) -> None:
        for doc in self.ctx.docs.find(REFRESH, {**where, "revoked": False}):
            if keep_family is None or doc["family"] != keep_family:
                self.ctx.docs.put(REFRESH, doc["key"], {**doc, "revoked": True})

    def _mark_ended(self, sids: Iterable[str], reason: str) -> None:
        now = self.ctx.now()
        for sid in sids:
            session = self.ctx.docs.get(SESSIONS, sid)
            if session is not None and session.get("ended_at") is None:
                self.ctx.docs.put(SESSIONS, sid, {**session, "ended_at": now, "end_reason": reason})
