"""Which access tokens auth has revoked: the rule every gateway applies to each request, over what
auth's revocation events say. Pure and in memory: a lookup or two per request.

SessionsRevoked (schema 1), on the stream session-<sid> (one session) or account-<user_id> (with the
fact that caused it: AccountDeactivated, PasswordChanged, MfaEnabled…):
  user_id      the account
  session_ids  the sessions (a token's `sid` claim) whose every access token is refused from now on
  not_before   null, or whole epoch seconds: every access token of the account issued (`iat`) before it
               is refused; tokens issued during that same second, before the revocation, are named by
               their sessions in session_ids
  reason       logout | refresh_reuse | deactivated | password_changed | password_reset | mfa_changed
               | mfa_reset | account_unusable | lifetime_over
  expires_at   epoch seconds after which no token it names can still be valid (the revocation time
               plus the access-token lifetime): the entry may then be forgotten
SystemTokenRevoked (schema 1), on the stream system-token-<jti>: {jti, sub, expires_at} (the token's
own expiry).

Auth answers the revocations still in force with its `revocations_in_force` RPC: a list of
{"type", "data"} as above, for a gateway that starts or whose event feed reconnects."""
from __future__ import annotations

import threading

from .events import SESSIONS_REVOKED, SYSTEM_TOKEN_REVOKED


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class RevocationList:
    """The revocations in force, fed by events (`apply`) or by the RPC's list (`load`). Readers
    (`revoked`) run in request threads without a lock while writers take one: each update sets one
    dictionary value, or swaps a whole dictionary, which Python does atomically."""

    def __init__(self) -> None:
        self._write = threading.Lock()
        self._sessions: dict[str, float] = {}              # sid -> expires_at
        self._users: dict[str, tuple[float, float]] = {}   # user_id -> (not_before, expires_at)
        self._tokens: dict[str, float] = {}                # system token jti -> expires_at

    def apply(self, event_type, data) -> None:
        if not isinstance(data, dict):
            return
        with self._write:
            self._apply(event_type, data)

    def _apply(self, event_type, data: dict) -> None:
        expires_at = _number(data.get("expires_at"))
        if expires_at is None:
            return
        if event_type == SESSIONS_REVOKED:
            for sid in data.get("session_ids") or ():
                if isinstance(sid, str) and sid:
                    self._sessions[sid] = max(expires_at, self._sessions.get(sid, 0.0))
            user_id, not_before = data.get("user_id"), _number(data.get("not_before"))
            if isinstance(user_id, str) and user_id and not_before is not None:
                before = self._users.get(user_id, (0.0, 0.0))
                self._users[user_id] = (max(not_before, before[0]), max(expires_at, before[1]))
        elif event_type == SYSTEM_TOKEN_REVOKED:
            jti = data.get("jti")
            if isinstance(jti, str) and jti:
                self._tokens[jti] = max(expires_at, self._tokens.get(jti, 0.0))

    def load(self, entries) -> None:
        """What `revocations_in_force` answered: [{"type", "data"}]."""
        for entry in entries or ():
            if isinstance(entry, dict):
                self.apply(entry.get("type"), entry.get("data"))

    def revoked(self, claims: dict) -> bool:
        """True when the verified token's claims name a revoked session, system token or account."""
        sid = claims.get("sid")
        if isinstance(sid, str) and sid in self._sessions:
            return True
        jti = claims.get("jti")
        if isinstance(jti, str) and jti in self._tokens:
            return True
        user = self._users.get(claims.get("sub")) if isinstance(claims.get("sub"), str) else None
        if user is not None:
            issued = _number(claims.get("iat"))
            return issued is None or issued < user[0]
        return False

    def prune(self, now: float) -> None:
        """Forgets what no valid token can match any more."""
        with self._write:
            self._sessions = {k: v for k, v in self._sessions.items() if v > now}
            self._users = {k: v for k, v in self._users.items() if v[1] > now}
            self._tokens = {k: v for k, v in self._tokens.items() if v > now}

    def __len__(self) -> int:
        return len(self._sessions) + len(self._users) + len(self._tokens)
