"""Password strength by zxcvbn (the estimator of services/auth/domain/passwords.py)."""
from __future__ import annotations

from zxcvbn import zxcvbn


def zxcvbn_rating(password: str, personal_words: list) -> dict:
    # zxcvbn's cost grows with length; the rule caps passwords at 128 characters anyway.
    result = zxcvbn(password[:128], user_inputs=[w for w in personal_words if w][:20])
    feedback = result.get("feedback") or {}
    return {"score": int(result.get("score", 0)), "warning": feedback.get("warning") or "",
            "suggestions": list(feedback.get("suggestions") or [])}
