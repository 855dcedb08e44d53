"""API tokens for outside systems (an establishment's scheduling system, a finance system…):
long-lived JWTs with role "system" and a `scope` claim, read-only by design.

Scopes (auth's contract, SYSTEM_SCOPES): `events:read` (GET /api/v1/events), `events:context` (the
booking's health-context category in the public events it reads or subscribes to), `webhooks:manage`
(their own webhook subscriptions).
A system token is refused everywhere else (the gateway's actor roles exclude "system").

Each token issued is recorded (collection `system_tokens`: jti, name, scopes, issued/expires, never
the token itself). Revoking marks the record and appends SystemTokenRevoked (stream
system-token-<jti>), which every gateway consumes: the token is refused from then on."""
from __future__ import annotations

import re

import jwt

from ims_common.envelope import NewEvent
from ims_common.eventstore.port import ConcurrencyError
from ims_common.tokens import issue_token
from services.auth.app.context import SYSTEM_ACTOR, Context
from services.auth.contract.events import SYSTEM_TOKEN_REVOKED, SYSTEM_TOKEN_STREAM
from services.auth.contract.vocabulary import SYSTEM as ROLE
from services.auth.contract.vocabulary import SYSTEM_SCOPES
from services.auth.domain.sessions import system_token_revoked

SCOPES = SYSTEM_SCOPES
NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
COLLECTION = "system_tokens"
DEFAULT_DAYS = 365
MAX_DAYS = 3650


def subject(name: str) -> str:
    return f"SYS-{name}"


class SystemTokens:
    def __init__(self, ctx: Context):
        self.ctx = ctx

    def create(self, name: str, scopes, days: int = DEFAULT_DAYS) -> dict:
        """{"token", "jti", "name", "scopes", "expires_at"}; the token is shown once, never stored."""
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise ValueError("name: 1-40 lowercase letters, digits or dashes")
        scopes = sorted(set(scopes))
        if not scopes or any(s not in SCOPES for s in scopes):
            raise ValueError(f"scope: one or more of {', '.join(SCOPES)}")
        if not 1 <= int(days) <= MAX_DAYS:
            raise ValueError(f"days: 1..{MAX_DAYS}")
        now = self.ctx.now()
        token = issue_token(sub=subject(name), role=ROLE, name=name, est=None, lang="en",
                            keys=self.ctx.settings.keys(), ttl_seconds=int(days) * 86400, now=now,
                            extra_claims={"scope": " ".join(scopes)})
        jti = jwt.decode(token, options={"verify_signature": False})["jti"]
        record = {"jti": jti, "name": name, "sub": subject(name), "scopes": scopes, "issued_at": int(now),
                  "expires_at": int(now) + int(days) * 86400, "revoked_at": None}
        self.ctx.docs.put(COLLECTION, jti, record)
        return {"token": token, **record}

    def revoke(self, jti: str) -> dict:
        record = self.ctx.docs.get(COLLECTION, jti)
        if record is None:
            raise KeyError(jti)
        if not record.get("revoked_at"):
            record["revoked_at"] = int(self.ctx.now())
            self.ctx.docs.put(COLLECTION, jti, record)
        data = system_token_revoked(jti, record["sub"], record["expires_at"])
        try:   # one event per token: revoking again changes nothing
            self.ctx.events.append(SYSTEM_TOKEN_STREAM + jti, 0, [NewEvent(
                SYSTEM_TOKEN_REVOKED, data, actor=dict(SYSTEM_ACTOR), occurred_at=self.ctx.iso())])
        except ConcurrencyError:
            pass
        return record

    def listing(self) -> list[dict]:
        return self.ctx.docs.find(COLLECTION, order_by=[("issued_at", 1)])
