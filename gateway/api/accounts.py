"""Accounts: create and list (coordinators), read one, and the caller's own (/me)."""
from __future__ import annotations

from flask import jsonify, url_for

from gateway.api import api, services
from gateway.openapi import documented
from gateway.schemas.accounts import AccountCreateSchema, AccountQuerySchema
from gateway.schemas.responses import AccountPageSchema, AccountSchema
from gateway.security import STAFF, actor, require
from gateway.validation import load_body, load_query


@api.post("/accounts")
@require(*STAFF)
@documented("Create an account (coordinators; only an admin creates an admin)", "accounts",
            body=AccountCreateSchema, response=AccountSchema, status=201, errors=(409,),
            # auth's rules over several fields (services/auth/domain/account.py) and the password rule
            rules={"request.invalid": ("secondary_role", "default_role", "establishment", "password"),
                   "account.email_taken": ("email",)})
def create_account():
    fields = load_body(AccountCreateSchema())
    account = services().call("auth", "create_account", actor(), fields)
    resp = jsonify(account)
    resp.status_code = 201
    if isinstance(account, dict) and isinstance(account.get("user_id"), str):
        resp.headers["Location"] = url_for("api.get_account", user_id=account["user_id"])
    return resp


@api.get("/accounts")
@require(*STAFF)
@documented("List accounts (coordinators)", "accounts", query=AccountQuerySchema, response=AccountPageSchema)
def list_accounts():
    query = load_query(AccountQuerySchema())
    return jsonify(services().call("auth", "list_accounts", actor(), query))


@api.get("/accounts/<user_id:user_id>")
@require()
@documented("One account (oneself, or any for coordinators)", "accounts", response=AccountSchema)
def get_account(user_id: str):
    return jsonify(services().call("auth", "get_account", actor(), user_id))


@api.get("/me")
@require()
@documented("The caller's own account", "accounts", response=AccountSchema)
def me():
    return jsonify(services().call("auth", "get_account", actor(), actor()["user_id"]))
