"""When sessions end, and what the revocation events say (how gateways read them:
contract/revocations.py). A session is one sign-in: its access tokens carry its id (`sid`), its
refresh tokens are one family with the same id."""
from __future__ import annotations

from typing import Iterable, Optional

LOGOUT = "logout"
REFRESH_REUSE = "refresh_reuse"          # a spent refresh token came back: the family may be stolen
DEACTIVATED = "deactivated"
PASSWORD_CHANGED = "password_changed"
PASSWORD_RESET = "password_reset"
MFA_CHANGED = "mfa_changed"              # the person set up a second factor: their other sessions end
MFA_RESET = "mfa_reset"                  # a coordinator reset it: every session ends
ACCOUNT_UNUSABLE = "account_unusable"    # a refresh found the account inactive or locked
LIFETIME_OVER = "lifetime_over"          # a refresh came after the session's absolute lifetime
REASONS = (LOGOUT, REFRESH_REUSE, DEACTIVATED, PASSWORD_CHANGED, PASSWORD_RESET, MFA_CHANGED, MFA_RESET,
           ACCOUNT_UNUSABLE, LIFETIME_OVER)


def sessions_revoked(user_id: str, session_ids: Iterable[str], reason: str, now: float, access_ttl: int,
                     everything_before: bool) -> dict:
    """The SessionsRevoked payload. `everything_before`: every token of the account issued before
    now, whatever its session (not_before, in whole seconds: the sessions named cover the tokens of
    this very second, so a sign-in right after the revocation is not refused)."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    return {"user_id": user_id, "session_ids": sorted(set(session_ids)),
            "not_before": int(now) if everything_before else None, "reason": reason,
            "expires_at": expires_at(now, access_ttl)}


def expires_at(now: float, access_ttl: int) -> int:
    """After this (epoch seconds) no access token issued up to `now` is valid any more."""
    return int(now) + int(access_ttl) + 1


def system_token_revoked(jti: str, sub: str, token_expires_at: int) -> dict:
    return {"jti": jti, "sub": sub, "expires_at": int(token_expires_at)}


def others(session_ids: Iterable[str], keep: Optional[str]) -> list[str]:
    return sorted({s for s in session_ids if s and s != keep})
