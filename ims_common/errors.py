"""Errors that cross service boundaries. They travel over nameko RPC as (exc_type, str(exc)):
str(exc) is JSON {"code", "params", "fields"} so the gateway can rebuild them and translate the
message into the caller's language (ims_common/messages.py)."""
from __future__ import annotations

import json


class IMSError(Exception):
    http_status = 400

    def __init__(self, code: str, params: dict | None = None, fields: dict | None = None):
        self.code = code
        self.params = params or {}
        self.fields = fields or {}   # {"field": ["code or message", ...]} for validation errors
        super().__init__(json.dumps({"code": code, "params": self.params, "fields": self.fields},
                                    default=str))

    @classmethod
    def from_remote(cls, exc_type: str, value: str) -> "IMSError | None":
        kind = ERRORS_BY_NAME.get(exc_type)
        if kind is None:
            return None
        try:
            body = json.loads(value)
        except (TypeError, ValueError):
            return kind("error.unknown")
        return kind(body.get("code", "error.unknown"), body.get("params"), body.get("fields"))


class ValidationFailed(IMSError):
    http_status = 400


class Unauthorized(IMSError):
    http_status = 401


class Forbidden(IMSError):
    http_status = 403


class NotFound(IMSError):
    http_status = 404


class Conflict(IMSError):
    http_status = 409


ERRORS_BY_NAME = {c.__name__: c for c in (ValidationFailed, Unauthorized, Forbidden, NotFound, Conflict)}
