"""Tokens of outside systems (services/auth/system_tokens.py) on the routes that accept them.

`require_scope(scope, *roles)`: a system token holding `scope` (and not revoked), or a person's token
with one of `roles`. A system token is refused by every other route (gateway.security's roles do
not include "system"). The revocation list is a file of jti (IMS_REVOKED_TOKENS_FILE, default
<data dir>/revoked-system-tokens), re-read when it changes."""
from __future__ import annotations

import functools
import os
import re
import uuid

from flask import g, request

from gateway.errors import ApiError
from gateway.security import authenticate
from ims_common import config
from ims_common.tokens import InvalidToken, verify_token
from services.auth.system_tokens import ROLE, revoked_tokens_path

_INVALID = {"WWW-Authenticate": 'Bearer realm="ims", error="invalid_token"'}
_SUB = re.compile(r"\ASYS-[a-z0-9][a-z0-9-]{0,39}\Z")
_revoked_cache: dict = {"key": None, "ids": frozenset()}


def revoked_ids() -> frozenset:
    path = revoked_tokens_path()
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return frozenset()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if _revoked_cache["key"] != key:
        _revoked_cache.update(key=key, ids=frozenset(path.read_text().split()))
    return _revoked_cache["ids"]


def _bearer_claims() -> dict | None:
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 8192:
        return None
    try:
        claims = verify_token(token, config.jwt_keys())
    except (InvalidToken, Exception):
        return None
    return claims if isinstance(claims, dict) else None


def _system_actor(claims: dict, scope: str) -> dict:
    sub, jti, scopes = claims.get("sub"), claims.get("jti"), claims.get("scope")
    if not (isinstance(sub, str) and _SUB.match(sub) and isinstance(jti, str) and isinstance(scopes, str)):
        raise ApiError(401, "auth.token_invalid", headers=_INVALID)
    if jti in revoked_ids():
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
