"""Access token verification: services.auth.adapters.tokens.verify_token (the auth service's own).

Until that module is in the tree, a stand-in implementing the same contract (docs/contracts.md,
Token: HS256 pinned, kid header, exp/iat/sub required, iss "ims-auth", aud "ims") is used, with a
warning; delete `_standin_verify` once the auth module has landed."""
from __future__ import annotations

import logging

import jwt

log = logging.getLogger("gateway.tokens")


class StandInInvalidToken(Exception):
    pass


def _standin_verify(token: str, keys: list[tuple[str, str]]) -> dict:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        secret = dict(keys).get(kid) if isinstance(kid, str) else None
        if secret is None:
            raise StandInInvalidToken("unknown key id")
        return jwt.decode(token, secret, algorithms=["HS256"], audience="ims", issuer="ims-auth",
                          options={"require": ["exp", "iat", "sub", "iss", "aud"]})
    except jwt.PyJWTError as exc:
        raise StandInInvalidToken(str(exc)) from None


def load_verifier():
    """(verify_token, InvalidToken) from the auth service's module, else the stand-in."""
    try:
        from services.auth.adapters.tokens import InvalidToken, verify_token
    except ModuleNotFoundError as exc:
        if exc.name not in ("services.auth.adapters.tokens",):
            raise
        log.warning("services.auth.adapters.tokens is missing: verifying tokens with the gateway's stand-in")
        return _standin_verify, StandInInvalidToken
    return verify_token, InvalidToken
