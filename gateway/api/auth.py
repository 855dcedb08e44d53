"""POST /auth/login."""
from __future__ import annotations

from flask import jsonify, request

from gateway.api import api, services
from gateway.openapi import documented
from gateway.schemas.accounts import LoginSchema
from gateway.schemas.auth_security import SessionSchema
from gateway.validation import load_body


@api.post("/auth/login")
@documented("Sign in with a user id or email and a password", "auth", body=LoginSchema,
            response=SessionSchema, public=True, errors=(401, 403, 429))   # 403: the account is locked
def login():
    data = load_body(LoginSchema())
    # The auth service slows down and locks per account and per address: it needs the client's.
    # auth.throttled leaves as 429 (gateway.errors).
    return jsonify(services().call("auth", "login", data["identifier"], data["password"], request.remote_addr or ""))
