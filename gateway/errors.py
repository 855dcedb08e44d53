"""Every error leaves the gateway as JSON {"error": {"code", "message", "fields"}}, the message in the
caller's language: the token's `lang`, else Accept-Language (fr or en), else French."""
from __future__ import annotations

import logging
import re

from flask import Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException

from gateway.rpc import ServiceError
from ims_common.errors import IMSError, ValidationFailed
from ims_common.messages import DEFAULT_LANGUAGE, LANGUAGES, translate
# Each service's codes come with its contract (imported for that: translate knows them all).
from services.auth.contract import messages as _auth_codes  # noqa: F401
from services.booking.contract import messages as _booking_codes  # noqa: F401
from services.payroll.contract import messages as _payroll_codes  # noqa: F401

log = logging.getLogger("gateway")

_CODE = re.compile(r"\A[a-z][a-z0-9_]*(\.[a-z0-9_]+)+\Z")
_HTTP_CODES = {400: "request.bad", 404: "not_found", 405: "method_not_allowed", 413: "request.too_large",
               415: "request.unsupported_media_type"}


class ApiError(Exception):
    """An error the gateway itself answers (same shape as the services' IMSError)."""

    def __init__(self, http_status: int, code: str, params: dict | None = None, fields: dict | None = None,
                 headers: dict | None = None):
        super().__init__(code)
        self.http_status = http_status
        self.code = code
        self.params = params or {}
        self.fields = fields or {}
        self.headers = headers or {}


def current_lang() -> str:
    from gateway.security import token_lang  # security imports this module

    actor = g.get("actor")
    if actor:
        lang = actor.get("lang")
    else:
        lang = token_lang()
    return lang or request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def flatten_fields(messages, prefix: str = "") -> dict[str, list]:
    """marshmallow's nested error dict -> {"communications.0.at": [msg, ...]}."""
    flat: dict[str, list] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key) if key != "_schema" else ""
            path = f"{prefix}.{name}" if prefix and name else (prefix or name or "_schema")
            for sub, msgs in flatten_fields(value, path).items():
                flat.setdefault(sub, []).extend(msgs)
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            flat[prefix or "_schema"] = list(messages)
        else:
            for index, value in enumerate(messages):
                for sub, msgs in flatten_fields(value, f"{prefix}.{index}" if prefix else str(index)).items():
                    flat.setdefault(sub, []).extend(msgs)
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


def _message(item, lang: str) -> str:
    # A field message is a code (maybe with params, see schemas.fields.Msg) or already a sentence.
    if isinstance(item, str) and _CODE.match(item):
        return translate(item, lang, getattr(item, "params", None))
    return str(item)[:500]


def error_response(status: int, code: str, params: dict | None = None, fields: dict | None = None,
                   headers: dict | None = None):
    lang = current_lang()
    flat = flatten_fields(fields) if fields else {}
    translated = {name: [_message(m, lang) for m in msgs] for name, msgs in flat.items()}
    params = dict(params or {})
    if translated and "fields" not in params:
        params["fields"] = ", ".join(translated)
    body = {"error": {"code": code, "message": translate(code, lang, params), "fields": translated}}
    resp = jsonify(body)
    resp.status_code = status
    for name, value in (headers or {}).items():
        resp.headers[name] = value
    return resp


THROTTLED = "auth.throttled"   # auth's refusal of too many attempts (sign-in, password change)


def throttled_response(exc: IMSError):
    """auth.throttled leaves as 429 with Retry-After, and retry_after in the body, from any route."""
    retry_after = int((exc.params or {}).get("retry_after") or 1)
    resp = error_response(429, exc.code, exc.params, exc.fields, {"Retry-After": str(retry_after)})
    body = resp.get_json()
    body["error"]["retry_after"] = retry_after
    resp.set_data(jsonify(body).get_data())
    return resp


def service_status(exc: IMSError) -> int:
    """The HTTP status of a service's error. Input a service refuses has passed the gateway's check of
    the OpenAPI document (which answers 400 itself): what refuses it is a rule the document cannot
    state (the resource's state, the caller's role, the clock, an order between fields), hence 422."""
    if isinstance(exc, ValidationFailed) and request.path.startswith("/api/"):
        return 422
    return exc.http_status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return error_response(exc.http_status, exc.code, exc.params, exc.fields, exc.headers)

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        headers = {"Retry-After": "5"} if exc.http_status == 503 else None
        return error_response(exc.http_status, exc.code, exc.params, headers=headers)

    @app.errorhandler(IMSError)
    def ims_error(exc: IMSError):
        if exc.code == THROTTLED:
            return throttled_response(exc)
        fields = exc.fields if isinstance(exc.fields, dict) else {}
        params = exc.params if isinstance(exc.params, dict) else {}
        headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
        return error_response(service_status(exc), exc.code, params, fields, headers)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        params = {}
        headers = {}
        if status == 413:
            limit = request.max_content_length or app.config.get("MAX_CONTENT_LENGTH") or 0
            params["max_mb"] = round(limit / 2**20, 1) if limit % 2**20 else limit // 2**20
        if status == 405 and getattr(exc, "valid_methods", None):
            headers["Allow"] = ", ".join(exc.valid_methods)
        return error_response(status, _HTTP_CODES.get(status, "request.bad" if status < 500 else "server.error"),
                              params, headers=headers)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        from gateway.access_log import mask   # a calendar feed's path is its secret
        log.exception("unexpected error on %s %s (request %s)", request.method, mask(request.path),
                      g.get("request_id"))
        return error_response(500, "server.error")
