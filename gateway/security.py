"""Who is calling: the Bearer token, verified and not revoked (gateway/revocations.py), becomes the
actor dict every RPC call takes (docs/contracts.md, Actor); cheap role checks happen here, the
services still decide."""
from __future__ import annotations

import functools
import logging
import random
import re
import time
import uuid

from flask import current_app, g, request

from gateway.errors import ApiError
from gateway.revocations import Unavailable
from ims_common import config
from ims_common.messages import LANGUAGES
from ims_common.tokens import InvalidToken, verify_token
from services.auth.contract.vocabulary import ROLES, STAFF  # noqa: F401  (STAFF: the API modules import it from here)

log = logging.getLogger("gateway.security")

_REQUEST_ID = re.compile(r"\A[A-Za-z0-9._:-]{1,100}\Z")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ims"'}
_INVALID = {"WWW-Authenticate": 'Bearer realm="ims", error="invalid_token"'}
_UNCHECKED = {"Retry-After": "5"}


REQUEST_ID_KEY = "ims.request_id"     # where the answer's X-Request-ID comes from (gateway/app.py)


def assign_request_id() -> None:
    # A client's id is kept only if it is harmless in logs and headers.
    given = request.environ.get("HTTP_X_REQUEST_ID", "")
    g.request_id = request.environ[REQUEST_ID_KEY] = given if _REQUEST_ID.match(given) else new_request_id()


def new_request_id() -> str:
    """A UUID4 from the process's own generator (reseeded in each forked worker): a request id
    correlates logs and events, it guards nothing, so it need not cost a system call each time."""
    return str(uuid.UUID(int=random.getrandbits(128), version=4))


def actor_from_claims(claims: dict) -> dict:
    sub, role = claims.get("sub"), claims.get("role")
    if not isinstance(sub, str) or not 0 < len(sub) <= 64 or role not in ROLES:
        raise ApiError(401, "auth.token_invalid", headers=_INVALID)
    est, name, lang = claims.get("est"), claims.get("name"), claims.get("lang")
    actor = {
        "user_id": sub,
        "role": role,
        "establishment": est if isinstance(est, str) and est else None,
        "name": name if isinstance(name, str) else "",
        "lang": lang if lang in LANGUAGES else None,
        "correlation_id": g.get("request_id") or new_request_id(),
    }
    if isinstance(claims.get("sid"), str) and claims["sid"]:
        actor["session_id"] = claims["sid"]     # the sign-in it belongs to (auth ends sessions by it)
    return actor


def verified_claims(token: str) -> dict:
    """The claims of a token that is valid and not revoked; ApiError 401 otherwise, 503 while the
    revocations cannot be checked. Every way in (API, pages, system tokens) goes through here."""
    if not isinstance(token, str) or not token or len(token) > 8192:
        raise ApiError(401, "auth.token_invalid", headers=_INVALID)
    try:
        claims = _verified(token, config.jwt_keys())
    except InvalidToken:
        raise ApiError(401, "auth.token_invalid", headers=_INVALID) from None
    except Exception:  # a token that breaks the verifier is still just a bad token
        log.exception("token verification failed unexpectedly")
        raise ApiError(401, "auth.token_invalid", headers=_INVALID) from None
    if not isinstance(claims, dict):
        raise ApiError(401, "auth.token_invalid", headers=_INVALID)
    try:
        revoked = current_app.extensions["ims_revocations"].revoked(claims)
    except Unavailable:
        log.warning("no view of the revocations: token refused for now")
        raise ApiError(503, "service.unavailable", {"service": "auth"}, headers=_UNCHECKED) from None
    if revoked:
        raise ApiError(401, "auth.token_invalid", headers=_INVALID)
    return claims


# Tokens whose signature and claims were checked, until they expire: the same token comes with
# every request of a session (a page polling its list); revocation is still checked each time.
_VERIFIED: dict[tuple, tuple[dict, float]] = {}
_VERIFIED_MAX = 4096


def _verified(token: str, keys: list) -> dict:
    key = (token, tuple(keys))            # a key rotated away is a miss
    kept = _VERIFIED.get(key)
    if kept is not None and time.time() < kept[1]:
        return dict(kept[0])
    claims = verify_token(token, keys)
    if isinstance(claims, dict) and isinstance(claims.get("exp"), (int, float)):
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()             # a sweep now and then beats tracking each entry's age
        _VERIFIED[key] = (dict(claims), float(claims["exp"]))
    return claims


def authenticate(allow_restricted: bool = False) -> dict:
    """The actor of a valid Bearer token. A restricted token (claim `mcp`: the account signed in
    with a temporary password) serves only the routes that allow it (changing the password)."""
    header = request.headers.get("Authorization", "")
    if not header.strip():
        raise ApiError(401, "auth.token_missing", headers=_CHALLENGE)
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise ApiError(401, "auth.token_invalid", headers=_INVALID)
    claims = verified_claims(token.strip())
    g.actor = actor_from_claims(claims)
    if claims.get("mcp") is not False and claims.get("mcp") is not None and not allow_restricted:
        raise ApiError(403, "auth.password_change_required")
    return g.actor


def token_lang() -> str | None:
    """The `lang` of a valid token on a request that failed before authentication (404, 405…)."""
    if "token_lang" not in g:
        g.token_lang = None
        scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
        if scheme.lower() == "bearer" and 0 < len(token.strip()) <= 8192:
            try:
                lang = verify_token(token.strip(), config.jwt_keys()).get("lang")
            except Exception:  # any failure: no language from the token
                lang = None
            g.token_lang = lang if lang in LANGUAGES else None
    return g.token_lang


def require(*roles: str, code: str = "auth.forbidden", allow_restricted: bool = False):
    """The view needs a valid token and, when roles are given, one of them (else 403 `code`)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            actor = authenticate(allow_restricted)
            if roles and actor["role"] not in roles:
                raise ApiError(403, code)
            return view(*args, **kwargs)

        wrapper.ims_roles = roles or ROLES
        return wrapper

    return decorator


def actor() -> dict:
    return g.actor
