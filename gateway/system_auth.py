"""Tokens of outside systems (services/auth/app/system_tokens.py) on the routes that accept them.

`require_scope(scope, *roles)`: a system token holding `scope` (and not revoked: auth's
SystemTokenRevoked reaches the revocation view of every gateway, gateway/revocations.py), or a
person's token with one of `roles`. A system token is refused by every other route
(gateway.security's roles do not include "system")."""
from __future__ import annotations

import functools
import re
import uuid

from flask import g, request

from gateway.errors import ApiError
from gateway.security import authenticate, verified_claims
from services.auth.contract.vocabulary import SYSTEM as ROLE

_INVALID = {"WWW-Authenticate": 'Bearer realm="ims", error="invalid_token"'}
_SUB = re.compile(r"\ASYS-[a-z0-9][a-z0-9-]{0,39}\Z")


def _bearer_claims() -> dict | None:
    """The claims of a valid, unrevoked Bearer token; None otherwise (authenticate() then gives the
    answer: 401, or 503 while revocations cannot be checked)."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        return verified_claims(token.strip())
    except ApiError as exc:
        if exc.http_status == 503:
            raise
        return None


def _system_actor(claims: dict, scope: str) -> dict:
    sub, jti, scopes = claims.get("sub"), claims.get("jti"), claims.get("scope")
    if not (isinstance(sub, str) and _SUB.match(sub) and isinstance(jti, str) and isinstance(scopes, str)):
        raise ApiError(401, "auth.token_invalid", headers=_INVALID)
    if scope not in scopes.split():
        raise ApiError(403, "auth.forbidden")
    return {"user_id": sub, "role": ROLE, "establishment": None, "name": str(claims.get("name") or ""),
            "lang": "en", "scopes": scopes.split(), "correlation_id": g.get("request_id") or str(uuid.uuid4())}


def require_scope(scope: str, *roles: str):
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            claims = _bearer_claims()
            if claims is not None and claims.get("role") == ROLE:
                g.actor = _system_actor(claims, scope)
            else:
                actor = authenticate()
                if roles and actor["role"] not in roles:
                    raise ApiError(403, "auth.forbidden")
            return view(*args, **kwargs)

        wrapper.ims_roles = roles + (ROLE,)
        return wrapper

    return decorator
