"""Failed sign-ins slow down, then lock (DESIGN.md section 6). Plain rules over a small state dict
(times are POSIX seconds), kept per account (or per unknown identifier, so that an identifier that
names nobody behaves exactly like one that does) and per client address.

- After `free_failures` consecutive failures, each new failure makes the next attempt wait
  base_delay * 2**(n - free_failures) seconds, at most max_delay.
- Never more than `hourly_max` failures within any hour.
- After `lock_after` consecutive failures the account locks (until a coordinator unlocks it or the
  owner resets the password by the emailed link). Addresses never lock; they only slow down.
- Second-factor codes count the same way, per account across sign-ins (`second_factor_key`): a
  right password does not reset them, only a right code; their lock locks the account.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

HOUR = 3600


@dataclass(frozen=True)
class Policy:
    free_failures: int = 3
    base_delay: float = 2.0
    max_delay: float = 900.0
    hourly_max: int = 100
    lock_after: Optional[int] = 10


ACCOUNT = Policy()
# A hospital's NAT puts many people behind one address: more slack before it slows down.
ADDRESS = Policy(free_failures=10, lock_after=None)


def new_state() -> dict:
    return {"consecutive": 0, "recent": [], "next_allowed_at": None, "locked": False, "locked_at": None}


def _state(state: Optional[dict]) -> dict:
    base = new_state()
    base.update({k: v for k, v in (state or {}).items() if k in base})
    base["recent"] = list(base["recent"] or [])
    return base


def delay_after(consecutive: int, policy: Policy) -> float:
    if consecutive < policy.free_failures:
        return 0.0
    return min(policy.base_delay * 2 ** (consecutive - policy.free_failures), policy.max_delay)


def wait_seconds(state: Optional[dict], policy: Policy, now: float) -> float:
    """How long before the next attempt is accepted (0: now)."""
    s = _state(state)
    wait = 0.0
    if s["next_allowed_at"] is not None:
        wait = max(wait, s["next_allowed_at"] - now)
    recent = sorted(t for t in s["recent"] if t > now - HOUR)
    if len(recent) >= policy.hourly_max:
        wait = max(wait, recent[-policy.hourly_max] + HOUR - now)
    return max(wait, 0.0)


def record_failure(state: Optional[dict], policy: Policy, now: float) -> tuple[dict, bool]:
    """The state after one more failure, and whether this failure locked the account."""
    s = _state(state)
    s["consecutive"] += 1
    s["recent"] = sorted(t for t in s["recent"] if t > now - HOUR)[-(policy.hourly_max - 1):] + [now]
    delay = delay_after(s["consecutive"], policy)
    s["next_allowed_at"] = now + delay if delay else None
    just_locked = False
    if policy.lock_after is not None and s["consecutive"] >= policy.lock_after and not s["locked"]:
        s["locked"], s["locked_at"], just_locked = True, now, True
    return s, just_locked


def record_success(state: Optional[dict]) -> dict:
    """A right password ends the run of failures (the hourly count stays: it counts failures)."""
    s = _state(state)
    s["consecutive"], s["next_allowed_at"] = 0, None
    return s


def lock(state: Optional[dict], now: float) -> dict:
    """Locked now (the second factor's lock put on the account)."""
    s = _state(state)
    if not s["locked"]:
        s["locked"], s["locked_at"] = True, now
    return s


def unlock(state: Optional[dict]) -> dict:
    s = _state(state)
    s.update(consecutive=0, next_allowed_at=None, locked=False, locked_at=None, recent=[])
    return s


def identity_key(identifier, user_id: Optional[str]) -> str:
    """Whose failures count together: the account when the identifier names one, else the
    identifier as typed (so that one that names nobody slows down exactly like one that does)."""
    if user_id:
        return "acct:" + user_id
    ident = identifier.strip().lower() if isinstance(identifier, str) else ""
    return "id:" + ident[:254]


def second_factor_key(user_id: str) -> str:
    return "mfa:" + user_id


def address_key(client_ip) -> str:
    return "ip:" + (client_ip if isinstance(client_ip, str) and client_ip else "-")
