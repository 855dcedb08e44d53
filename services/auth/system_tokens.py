"""API tokens for outside systems (an establishment's scheduling system, a finance system…):
long-lived JWTs with role "system" and a `scope` claim, read-only by design.

Scopes: `events:read` (GET /api/v1/events), `webhooks:manage` (their own webhook subscriptions).
A system token is refused everywhere else (the gateway's actor roles exclude "system").

Each token issued is recorded (collection `system_tokens`: jti, name, scopes, issued/expires, never
the token itself). Revoking marks the record and appends the jti to the revocation list the gateway
checks on each request: the file `revoked_tokens_path()` (IMS_REVOKED_TOKENS_FILE, default
<data dir>/revoked-system-tokens; one jti a line; share it with the gateway)."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import jwt

from ims_common import config
from ims_common.tokens import issue_token

SCOPES = ("events:read", "webhooks:manage")
ROLE = "system"
NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
COLLECTION = "system_tokens"
DEFAULT_DAYS = 365
MAX_DAYS = 3650


def revoked_tokens_path() -> Path:
    given = os.environ.get("IMS_REVOKED_TOKENS_FILE")
    return Path(given) if given else config.data_dir() / "revoked-system-tokens"


def subject(name: str) -> str:
    return f"SYS-{name}"


def create(docs, name: str, scopes, days: int = DEFAULT_DAYS, now: float | None = None) -> dict:
    """{"token", "jti", "name", "scopes", "expires_at"}; the token is shown once, never stored."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ValueError("name: 1-40 lowercase letters, digits or dashes")
    scopes = sorted(set(scopes))
    if not scopes or any(s not in SCOPES for s in scopes):
        raise ValueError(f"scope: one or more of {', '.join(SCOPES)}")
    if not 1 <= int(days) <= MAX_DAYS:
        raise ValueError(f"days: 1..{MAX_DAYS}")
    now = time.time() if now is None else now
    token = issue_token(sub=subject(name), role=ROLE, name=name, est=None, lang="en",
                        keys=config.jwt_keys(), ttl_seconds=int(days) * 86400, now=now,
                        extra_claims={"scope": " ".join(scopes)})
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]
    record = {"jti": jti, "name": name, "sub": subject(name), "scopes": scopes, "issued_at": int(now),
              "expires_at": int(now) + int(days) * 86400, "revoked_at": None}
    docs.put(COLLECTION, jti, record)
    return {"token": token, **record}


def revoke(docs, jti: str, now: float | None = None) -> dict:
    record = docs.get(COLLECTION, jti)
    if record is None:
        raise KeyError(jti)
    if not record.get("revoked_at"):
        record["revoked_at"] = int(time.time() if now is None else now)
        docs.put(COLLECTION, jti, record)
    path = revoked_tokens_path()
    listed = path.read_text().split() if path.exists() else []
    if jti not in listed:
        with path.open("a") as out:
            out.write(jti + "\n")
    return record


def listing(docs) -> list[dict]:
    return docs.find(COLLECTION, order_by=[("issued_at", 1)])
