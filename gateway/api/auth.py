"""POST /auth/login."""
from __future__ import annotations

from flask import jsonify, request

from gateway.api import api, services
from gateway.openapi import documented
from gateway.schemas.accounts import LoginSchema
from gateway.schemas.responses import LoginResultSchema
from gateway.validation import load_body
from ims_common.errors import IMSError


@api.post("/auth/login")
@documented("Sign in with a user id or email and a password", "auth", body=LoginSchema,
            response=LoginResultSchema, public=True)
def login():
    data = load_body(LoginSchema())
    # The auth service slows down and locks per account and per address: it needs the client's.
    try:
        result = services().call("auth", "login", data["identifier"], data["password"], request.remote_addr or "")
    except IMSError as exc:
        if exc.code == "auth.throttled":
            from gateway.api.auth_security import throttled_response
            return throttled_response(exc)
        raise
    return jsonify(result)
