"""Auth's event types: their names, streams, the current schema_version of each, and the upcasters that
bring an older stored version up to date. Published on the `auth.events` exchange (routing key = type).
Readers upcast before they fold (`upcast`); consumers read the profiles through `contract/profiles.py`
and the revocations through `contract/revocations.py`. Payloads: docs/contracts.md, "Auth service".

To change a payload: bump its version here, add the upcaster from the previous version below, keep
the old version readable."""
from __future__ import annotations

from typing import Callable

from ims_common.upcasting import upcast as _upcast

ACCOUNT_CREATED = "AccountCreated"          # the account (never a hash)
PROFILE_UPDATED = "ProfileUpdated"          # the full current profile
ACCOUNT_DEACTIVATED = "AccountDeactivated"  # {"user_id"}
ACCOUNT_REACTIVATED = "AccountReactivated"  # {"user_id"}
PASSWORD_CHANGED = "PasswordChanged"        # {"user_id"}
ACCOUNT_LOCKED = "AccountLocked"            # {"user_id", "failed_attempts"}
ACCOUNT_UNLOCKED = "AccountUnlocked"        # {"user_id"}
MFA_ENABLED = "MfaEnabled"                  # {"user_id"}
MFA_RESET = "MfaReset"                      # {"user_id"}
SESSIONS_REVOKED = "SessionsRevoked"        # access tokens that must no longer be accepted
SYSTEM_TOKEN_REVOKED = "SystemTokenRevoked"  # an outside system's token, by its jti

TYPES = (ACCOUNT_CREATED, PROFILE_UPDATED, ACCOUNT_DEACTIVATED, ACCOUNT_REACTIVATED, PASSWORD_CHANGED,
         ACCOUNT_LOCKED, ACCOUNT_UNLOCKED, MFA_ENABLED, MFA_RESET, SESSIONS_REVOKED, SYSTEM_TOKEN_REVOKED)
# What every gateway consumes (bound by routing key): the end of sessions and of system tokens.
REVOCATIONS = (SESSIONS_REVOKED, SYSTEM_TOKEN_REVOKED)

ACCOUNT_STREAM = "account-"          # account-<user_id>: the account's facts and its profile
SESSION_STREAM = "session-"          # session-<session id>: one SessionsRevoked when that session ends
SYSTEM_TOKEN_STREAM = "system-token-"  # system-token-<jti>: its SystemTokenRevoked


def account_stream(user_id: str) -> str:
    return ACCOUNT_STREAM + user_id


def user_id_of(stream_id: str) -> str | None:
    """The account a stream belongs to (None for session and system-token streams)."""
    return stream_id[len(ACCOUNT_STREAM):] if stream_id.startswith(ACCOUNT_STREAM) else None


CURRENT: dict[str, int] = {name: 1 for name in TYPES}

# (type, from_version) -> function(data) -> data of from_version + 1
UPCASTERS: dict[tuple[str, int], Callable[[dict], dict]] = {}


def current_version(event_type: str) -> int:
    return CURRENT.get(event_type, 1)


def upcast(envelope: dict) -> dict:
    """The envelope with its data brought to the current version of its type (see ims_common.upcasting)."""
    return _upcast(envelope, CURRENT, UPCASTERS)
