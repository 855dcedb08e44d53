"""Access tokens: JWT signed with HS256 only, key chosen by the header's `kid`.

Shared by auth (which issues them) and the gateway (which verifies them on every request). Keys are [(kid, secret)]
as ims_common.config.jwt_keys() gives them: the first signs, every one verifies (rotation)."""
from __future__ import annotations

import time
import uuid
from typing import Iterable, Optional, Union

import jwt

ALGORITHM = "HS256"          # pinned: never read the algorithm from the token
ISSUER = "ims-auth"
AUDIENCE = "ims"
REQUIRED_CLAIMS = ("exp", "iat", "sub", "iss", "aud")

Keys = Union[Iterable[tuple[str, str]], dict]


class InvalidToken(Exception):
    """Any reason a token is refused; the reason is for logs, never for the client."""


def _key_list(keys: Keys) -> list[tuple[str, str]]:
    return list(keys.items()) if isinstance(keys, dict) else list(keys)


def issue_token(*, sub: str, role: str, name: str, est: Optional[str], lang: str,
                keys: Keys, ttl_seconds: int, now: Optional[float] = None,
                extra_claims: Optional[dict] = None) -> str:
    kid, secret = _key_list(keys)[0]
    issued_at = int(time.time() if now is None else now)
    claims = {
        "sub": sub, "role": role, "name": name, "est": est, "lang": lang,
        "iat": issued_at, "exp": issued_at + int(ttl_seconds),
        "iss": ISSUER, "aud": AUDIENCE, "jti": uuid.uuid4().hex,
    }
    claims.update(extra_claims or {})
    return jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"kid": kid})


def verify_token(token: str, keys: Keys) -> dict:
    """The token's claims; raises InvalidToken when it is malformed, signed with an algorithm other
    than HS256 (including none), by a key not in `keys`, tampered with, expired, or not ours."""
    if not isinstance(token, str) or not token:
        raise InvalidToken("no token")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"malformed: {exc}") from exc
    if header.get("alg") != ALGORITHM:
        raise InvalidToken(f"algorithm {header.get('alg')!r} refused")
    kid = header.get("kid")
    secret = dict(_key_list(keys)).get(kid) if isinstance(kid, str) else None
    if secret is None:
        raise InvalidToken("unknown key id")
    try:
        return jwt.decode(token, secret, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
                          options={"require": list(REQUIRED_CLAIMS)})
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
