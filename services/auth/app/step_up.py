"""Step-up (issue 17): a sensitive change asks again for the current password. Its failures count with
the sign-in's (the account's slow-down and lock), so the form is no way round the lockout."""
from __future__ import annotations

from ims_common import validation as v
from ims_common.errors import Unauthorized, ValidationFailed
from services.auth.app.context import Context
from services.auth.domain import lockout

WRONG = "auth.wrong_current_password"


def check_current_password(ctx: Context, user_id: str, current_password, missing: str) -> None:
    """ValidationFailed(`missing`) without a password, `WRONG` for a wrong one; throttled as sign-ins are."""
    if current_password is None or current_password == "":
        raise ValidationFailed(missing, fields={"current_password": [missing]})
    now = ctx.now()
    key = lockout.identity_key(None, user_id)
    wait = lockout.wait_seconds(ctx.throttle(key), lockout.ACCOUNT, now)
    if wait > 0:
        raise Unauthorized("auth.throttled", params={"retry_after": int(wait) + 1})
    password_hash = ctx.credentials.password_hash(user_id)
    if not isinstance(current_password, str) or not password_hash \
            or not ctx.hasher.verify(password_hash, current_password):
        state, _ = lockout.record_failure(ctx.throttle(key), lockout.ACCOUNT, now)
        ctx.save_throttle(key, state)
        raise v.fail("current_password", WRONG)
