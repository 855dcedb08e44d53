"""The password rule (DESIGN.md section 6) and temporary passwords.

The rule: 12 to 128 characters, an uppercase letter, a digit and a special character. The design
also asks for a password "rated very strong": that estimation comes later and plugs in as a
`StrengthCheck` (e.g. a zxcvbn score), passed to `check_password`; until then only the rule applies."""
from __future__ import annotations

import secrets
import string
from typing import Callable, Optional

MIN_LENGTH = 12
MAX_LENGTH = 128
WEAK = "auth.weak_password"

# Given the password and words that must not help guess it (names, email), True when strong enough.
StrengthCheck = Callable[[str, list], bool]


def password_problems(password, personal_words: tuple = (),
                      strength: Optional[StrengthCheck] = None) -> list[str]:
    """Error codes for the password field; empty when it is acceptable."""
    if not isinstance(password, str) or not password:
        return ["field.required"]
    if len(password) > MAX_LENGTH:
        return ["field.too_long"]
    if (len(password) < MIN_LENGTH
            or not any(c.isupper() for c in password)
            or not any(c.isdigit() for c in password)
            or not any(not c.isalnum() and not c.isspace() for c in password)):
        return [WEAK]
    if strength is not None and not strength(password, [w for w in personal_words if w]):
        return [WEAK]
    return []


_ALPHABET = string.ascii_letters + string.digits
_SPECIALS = "!#$%&*+-=?@_"


def generate_temporary_password(length: int = 20) -> str:
    """Random, meets the rule; the account must change it at first login."""
    chars = [secrets.choice(string.ascii_uppercase), secrets.choice(string.digits),
             secrets.choice(_SPECIALS)]
    chars += [secrets.choice(_ALPHABET + _SPECIALS) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
