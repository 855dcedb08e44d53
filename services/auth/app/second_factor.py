"""What the sign-in step and the set-up share about a person's second factors: which channels they
have, and the check of an authenticator-app (TOTP) code, each time step usable once."""
from __future__ import annotations

import re
import secrets
from typing import Optional

import pyotp

from services.auth.app.context import Context


def channels(sec: dict) -> list[str]:
    m = sec["mfa"]
    out = (["sms"] if m.get("mobile") else []) + ["email"]
    if m.get("totp_secret"):
        out.append("totp")
    if m.get("recovery"):
        out.append("recovery")
    return out


def check_totp(ctx: Context, sec: dict, secret: Optional[str], code) -> Optional[str]:
    """None when the code is right for now (or the step before or after), else an error code."""
    if not secret:
        return "mfa.channel_unavailable"
    code = code.strip().replace(" ", "") if isinstance(code, str) else ""
    if not re.fullmatch(r"[0-9]{6}", code):
        return "mfa.invalid_code"
    totp, now = pyotp.TOTP(secret), ctx.now()
    for offset in (0, -1, 1):
        step = int(now // 30) + offset
        if secrets.compare_digest(totp.at(step * 30), code):
            if step <= (sec["mfa"].get("totp_last_step") or -1):
                return "mfa.code_used"
            sec["mfa"]["totp_last_step"] = step
            ctx.save_security(sec)
            return None
    return "mfa.invalid_code"
