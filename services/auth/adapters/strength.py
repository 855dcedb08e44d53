"""Password strength by zxcvbn (the estimator of services/auth/domain/passwords.py)."""
from __future__ import annotations

from zxcvbn import zxcvbn

# zxcvbn refuses longer input (a ValueError) and its cost grows with length: the first 72 characters
# are rated, the whole password is still what is hashed and checked (issue 17).
RATED_PREFIX = 72


def zxcvbn_rating(password: str, personal_words: list) -> dict:
    result = zxcvbn(password[:RATED_PREFIX], user_inputs=[w[:RATED_PREFIX] for w in personal_words if w][:20])
    feedback = result.get("feedback") or {}
    return {"score": int(result.get("score", 0)), "warning": feedback.get("warning") or "",
            "suggestions": list(feedback.get("suggestions") or [])}
