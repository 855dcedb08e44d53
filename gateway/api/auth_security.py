"""Account security routes: login steps (MFA), tokens, passwords, and coordinators' user
management. The auth service decides; the gateway validates the shape and passes the caller's
address along for throttling."""
from __future__ import annotations

from flask import jsonify, request

from gateway.api import api, services
from gateway.errors import ApiError
from gateway.openapi import documented
from gateway.schemas.auth_security import (AcceptedSchema, CodeSentSchema, EmptySchema, ForgotSchema,
                                           LoggedOutSchema, MfaSendSchema, MfaSetupResultSchema, MfaSetupSchema,
                                           MfaVerifyResultSchema, MfaVerifySchema, PasswordChangedSchema,
                                           PasswordChangeSchema, PasswordResetSchema, RefreshSchema,
                                           ResetSchema, SessionSchema, TotpResultSchema, TotpSchema)
from gateway.schemas.responses import AccountSchema
from gateway.security import STAFF, actor, authenticate, require
from gateway.validation import load_body


@api.post("/auth/mfa/setup")
@require()
@documented("Multi-factor set-up at login: now (a code by SMS to the mobile) or later (24 hours)", "auth",
            body=MfaSetupSchema, response=MfaSetupResultSchema, errors=(429,),   # 429: codes sent too often
            rules={"request.invalid": ("mobile",)})   # now: a valid mobile, given or on the profile
def mfa_setup():
    data = load_body(MfaSetupSchema())
    return jsonify(services().call("auth", "mfa_setup", actor(), data["choice"], data.get("mobile"),
                                   data.get("current_password")))


@api.post("/auth/mfa/send")
@documented("Send a login code by SMS or email (second step of a login)", "auth", body=MfaSendSchema,
            response=CodeSentSchema, public=True, errors=(401, 429),
            rules={"request.invalid": ("channel",)})   # a channel the account has
def mfa_send():
    data = load_body(MfaSendSchema())
    return jsonify(services().call("auth", "mfa_send", data["mfa_token"], data["channel"]))


@api.post("/auth/mfa/verify")
@documented("Check a code: with mfa_token, the second step of a login (tokens); signed in without it, "
            "confirms the SMS set-up (recovery codes)", "auth", body=MfaVerifySchema, response=MfaVerifyResultSchema,
            public=True, errors=(401, 403, 429),   # 403: the account locked after too many codes
            rules={code: ("code",) for code in ("mfa.no_code", "mfa.code_used", "mfa.code_expired",
                                                "mfa.too_many_attempts", "mfa.invalid_code")})
def mfa_verify():
    data = load_body(MfaVerifySchema())
    if data.get("mfa_token"):
        # wrong codes slow down per account, across sign-ins, as passwords do (429: gateway.errors)
        return jsonify(services().call("auth", "mfa_verify", data["mfa_token"], data["code"], data.get("channel")))
    who = authenticate()
    return jsonify(services().call("auth", "mfa_confirm", who, data["code"]))


@api.post("/auth/mfa/totp")
@require()
@documented("Authenticator app: without code, a new secret and its otpauth URI; with code, confirms it",
            "auth", body=TotpSchema, response=TotpResultSchema, errors=(409,),
            rules={code: ("code",) for code in ("mfa.invalid_code", "mfa.code_used")})
def mfa_totp():
    data = load_body(TotpSchema())
    if data.get("code"):
        return jsonify(services().call("auth", "totp_confirm", actor(), data["code"]))
    return jsonify(services().call("auth", "totp_enrol", actor(), data.get("current_password")))


@api.post("/auth/refresh")
@documented("New access and refresh tokens for a refresh token (rotates; an old one revokes its family)",
            "auth", body=RefreshSchema, response=SessionSchema, public=True, errors=(401,))
def refresh():
    data = load_body(RefreshSchema())
    return jsonify(services().call("auth", "refresh", data["refresh_token"]))


@api.post("/auth/logout")
@documented("End the session of a refresh token", "auth", body=RefreshSchema, response=LoggedOutSchema,
            public=True)
def logout():
    data = load_body(RefreshSchema())
    try:   # with the access token too, its session ends even without its refresh token
        who = authenticate(allow_restricted=True) if request.headers.get("Authorization") else None
    except ApiError:
        who = None
    return jsonify(services().call("auth", "logout", data["refresh_token"],
                                   {"user_id": who["user_id"], "session_id": who.get("session_id")} if who else None))


@api.post("/auth/password")
@require(allow_restricted=True)
@documented("Change one's password (also the temporary one); ends every session", "auth",
            body=PasswordChangeSchema, response=PasswordChangedSchema, errors=(429,),
            rules={"request.invalid": ("current_password",), "auth.weak_password": ("new_password", "confirm_password"),
                   "password.mismatch": ("confirm_password",)})
def change_password():
    data = load_body(PasswordChangeSchema())
    return jsonify(services().call("auth", "change_password", actor(), data["current_password"],
                                   data["new_password"], data["confirm_password"]))


@api.post("/auth/password/forgot")
@documented("Email a single-use reset link (same answer whether or not the address is known)", "auth",
            body=ForgotSchema, response=AcceptedSchema, public=True)
def forgot_password():
    data = load_body(ForgotSchema())
    return jsonify(services().call("auth", "forgot_password", data["email"], request.remote_addr or ""))


@api.post("/auth/password/reset")
@documented("Choose a new password with the emailed link's token (once, within the hour)", "auth",
            body=ResetSchema, response=PasswordResetSchema, public=True,
            rules={"auth.reset_link_invalid": ("token",), "auth.weak_password": ("new_password", "confirm_password"),
                   "password.mismatch": ("confirm_password",)})
def reset_password():
    data = load_body(ResetSchema())
    return jsonify(services().call("auth", "reset_password", data["token"], data["new_password"],
                                   data["confirm_password"]))


def _manage(user_id: str, action: str):
    load_body(EmptySchema())
    return jsonify(services().call("auth", "manage_account", actor(), user_id, action))


@api.post("/accounts/<user_id:user_id>/deactivate")
@require(*STAFF)
@documented("Deactivate an account (coordinators); its sessions end", "accounts", body=EmptySchema,
            response=AccountSchema)
def deactivate_account(user_id: str):
    return _manage(user_id, "deactivate")


@api.post("/accounts/<user_id:user_id>/reactivate")
@require(*STAFF)
@documented("Reactivate an account (coordinators)", "accounts", body=EmptySchema, response=AccountSchema)
def reactivate_account(user_id: str):
    return _manage(user_id, "reactivate")


@api.post("/accounts/<user_id:user_id>/unlock")
@require(*STAFF)
@documented("Lift the lock of an account after failed sign-ins (coordinators)", "accounts",
            body=EmptySchema, response=AccountSchema)
def unlock_account(user_id: str):
    return _manage(user_id, "unlock")


@api.post("/accounts/<user_id:user_id>/reset-mfa")
@require(*STAFF)
@documented("Reset an account's multi-factor authentication (coordinators)", "accounts", body=EmptySchema,
            response=AccountSchema)
def reset_mfa(user_id: str):
    return _manage(user_id, "reset-mfa")
