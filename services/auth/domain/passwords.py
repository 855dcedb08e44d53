"""The password rule (DESIGN.md section 6), the one rule for account creation, change and reset:
12 to 128 characters, an uppercase letter, a digit, a special character, no surrounding spaces, and
rated very strong (score 4 of 4) by a strength estimator passed in (zxcvbn in production,
services/auth/adapters/strength.py). And the temporary passwords the bank hands out.

Each reason is {"code", "params"}; the codes' texts are in services/auth/contract/messages.py."""
from __future__ import annotations

import secrets
import string
from typing import Callable, Iterable, Optional

MIN_LENGTH = 12
MAX_LENGTH = 128
STRONG_SCORE = 4
WEAK = "auth.weak_password"
MISMATCH = "password.mismatch"

# (password, personal words) -> {"score": 0..4, "warning": str, "suggestions": [str]}
Estimator = Callable[[str, list], dict]


def reasons(password, personal_words: Iterable = (), estimator: Optional[Estimator] = None) -> list[dict]:
    """Why the password is refused; empty when it is acceptable."""
    if not isinstance(password, str) or not password:
        return [{"code": "field.required", "params": {}}]
    out: list[dict] = []
    if len(password) > MAX_LENGTH:
        return [{"code": "password.too_long", "params": {"max": MAX_LENGTH}}]
    if password != password.strip():
        out.append({"code": "password.surrounding_spaces", "params": {}})
    if len(password) < MIN_LENGTH:
        out.append({"code": "password.too_short", "params": {"min": MIN_LENGTH}})
    if not any(c.isupper() for c in password):
        out.append({"code": "password.needs_uppercase", "params": {}})
    if not any(c.isdigit() for c in password):
        out.append({"code": "password.needs_digit", "params": {}})
    if not any(not c.isalnum() and not c.isspace() for c in password):
        out.append({"code": "password.needs_special", "params": {}})
    if not out and estimator is not None:
        words = [w for w in personal_words if isinstance(w, str) and w]
        rating = estimator(password, words)
        if rating.get("score", 0) < STRONG_SCORE:
            out.append({"code": "password.too_guessable",
                        "params": {"score": rating.get("score", 0), "warning": rating.get("warning") or "",
                                   "suggestions": list(rating.get("suggestions") or [])}})
    return out


def new_password_reasons(new, confirm, personal_words: Iterable = (), estimator: Optional[Estimator] = None,
                         current: Optional[str] = None) -> dict[str, list[dict]]:
    """Reasons by field (new_password, confirm_password) for a change or a reset."""
    found: dict[str, list[dict]] = {}
    new_reasons = reasons(new, personal_words, estimator)
    if not new_reasons and current is not None and new == current:
        new_reasons = [{"code": "password.same_as_current", "params": {}}]
    if new_reasons:
        found["new_password"] = new_reasons
    if not isinstance(confirm, str) or confirm != new:
        found["confirm_password"] = [{"code": MISMATCH, "params": {}}]
    return found


def personal_words(first_name, last_name, email, user_id=None) -> list[str]:
    """What must not help guess a person's password: names, the address and its local part, the id."""
    words = [first_name, last_name, email, user_id]
    if isinstance(email, str) and "@" in email:
        words.append(email.split("@")[0])
    return [w for w in words if isinstance(w, str) and w]


_ALPHABET = string.ascii_letters + string.digits
_SPECIALS = "!#$%&*+-=?@_"


def generate_temporary_password(length: int = 20) -> str:
    """Random, meets the rule; the account must change it at first login."""
    chars = [secrets.choice(string.ascii_uppercase), secrets.choice(string.digits),
             secrets.choice(_SPECIALS)]
    chars += [secrets.choice(_ALPHABET + _SPECIALS) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
