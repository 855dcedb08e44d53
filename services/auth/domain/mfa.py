"""Multi-factor authentication rules: one-time codes (6 digits, single use, 10 minutes, 5 tries
then a new code is needed), recovery codes (10, single use), and the 24-hour "later"."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Optional

CODE_TTL = 600
MAX_ATTEMPTS = 5
POSTPONE_SECONDS = 24 * 3600
RECOVERY_COUNT = 10
CHANNELS = ("sms", "email", "totp", "recovery")
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I


def digest(value: str, salt: str = "") -> str:
    return hashlib.sha256((salt + value).encode()).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def new_challenge(channel: str, now: float) -> tuple[str, dict]:
    """A fresh code and what is stored of it (its salted hash, never the code)."""
    code, salt = new_code(), secrets.token_hex(8)
    return code, {"channel": channel, "salt": salt, "hash": digest(code, salt), "expires_at": now + CODE_TTL,
                  "attempts": 0, "used": False}


def check_code(challenge: Optional[dict], code, now: float) -> tuple[Optional[str], Optional[dict]]:
    """(error code or None when right, the challenge as it must be stored after this try)."""
    if not challenge:
        return "mfa.no_code", challenge
    challenge = dict(challenge)
    if challenge.get("used"):
        return "mfa.code_used", challenge
    if now >= challenge["expires_at"]:
        return "mfa.code_expired", challenge
    if challenge["attempts"] >= MAX_ATTEMPTS:
        return "mfa.too_many_attempts", challenge
    given = code.strip().replace(" ", "") if isinstance(code, str) else ""
    if not hmac.compare_digest(digest(given, challenge["salt"]), challenge["hash"]):
        challenge["attempts"] += 1
        return ("mfa.too_many_attempts" if challenge["attempts"] >= MAX_ATTEMPTS else "mfa.invalid_code"), challenge
    challenge["used"] = True
    return None, challenge


def normalize_recovery(code) -> str:
    return "".join(c for c in code.upper() if c.isalnum()) if isinstance(code, str) else ""


def new_recovery_codes() -> tuple[list[str], list[str]]:
    """(codes shown once to the person, their hashes to store)."""
    codes = []
    for _ in range(RECOVERY_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes, [digest(normalize_recovery(c)) for c in codes]


def use_recovery_code(hashes: list[str], code) -> Optional[list[str]]:
    """The remaining hashes when the code is one of them (it is spent), else None."""
    h = digest(normalize_recovery(code))
    if not normalize_recovery(code) or h not in hashes:
        return None
    return [x for x in hashes if x != h]
