"""Request and response schemas of account security (login steps, MFA, tokens, passwords, user
management). Strict: unknown fields are refused, and every field is a string or a choice, so an
operator object such as {"$gt": ""} is a 400 before anything reaches a service."""
from __future__ import annotations

from marshmallow import Schema, fields

from gateway.schemas.fields import Choice, EmailStr, StrictSchema, Text
from gateway.schemas.responses import AccountSchema

SECRET = 256     # passwords are checked by the auth service (12..128); a little room for the reasons


class MfaSetupSchema(StrictSchema):
    choice = Choice(("now", "later"), required=True)
    mobile = Text(32, min_length=1)          # the mobile number for the first SMS code
    current_password = Text(SECRET, min_length=1)   # needed unless the sign-in was minutes ago (step-up)


class MfaSendSchema(StrictSchema):
    mfa_token = Text(2048, min_length=1, required=True)
    channel = Choice(("sms", "email"), required=True)


class MfaVerifySchema(StrictSchema):
    """With mfa_token: the second step of a login. Without (signed in): confirms the SMS set-up."""
    mfa_token = Text(2048, min_length=1)
    code = Text(32, min_length=1, required=True)
    channel = Choice(("sms", "email", "totp", "recovery"))


class TotpSchema(StrictSchema):
    code = Text(16, min_length=1)            # absent: enrol (a new secret); present: confirm it
    current_password = Text(SECRET, min_length=1)   # enrolling: needed unless the sign-in was minutes ago


class RefreshSchema(StrictSchema):
    refresh_token = Text(512, min_length=1, required=True)


class PasswordChangeSchema(StrictSchema):
    current_password = Text(SECRET, min_length=1, required=True)
    new_password = Text(SECRET, min_length=1, required=True)
    confirm_password = Text(SECRET, min_length=1, required=True)


class ForgotSchema(StrictSchema):
    email = EmailStr(required=True)


class ResetSchema(StrictSchema):
    token = Text(512, min_length=1, required=True)
    new_password = Text(SECRET, min_length=1, required=True)
    confirm_password = Text(SECRET, min_length=1, required=True)


class EmptySchema(StrictSchema):
    pass


# ---- responses (documentation) ----

class SessionSchema(Schema):
    """A login step's answer: the tokens (a temporary password's session has no refresh token), or
    the second factor it asks for (mfa_required, mfa_token, channels)."""
    access_token = fields.String()
    token_type = fields.String(metadata={"example": "Bearer"})
    expires_in = fields.Integer()
    refresh_token = fields.String()
    refresh_expires_in = fields.Integer(metadata={"description": "idle timeout: unused that long, it dies"})
    session_expires_in = fields.Integer(metadata={"description": "the session's absolute end, which no "
                                                                 "refresh extends"})
    mfa_setup_offered = fields.Boolean()
    password_change_required = fields.Boolean()
    mfa_required = fields.Boolean()
    mfa_token = fields.String()
    channels = fields.List(fields.String())
    recovery_codes_left = fields.Integer(metadata={"description": "after a recovery code"})
    user = fields.Nested(AccountSchema)


class MfaVerifyResultSchema(SessionSchema):
    """With mfa_token: the session. Signed in, without it: the SMS set-up confirmed."""
    mfa_enabled = fields.Boolean()
    recovery_codes = fields.List(fields.String(), metadata={"description": "shown once"})


class MfaSetupResultSchema(Schema):
    """later: mfa_enabled and postponed_until; now: the code sent by SMS."""
    mfa_enabled = fields.Boolean()
    postponed_until = fields.String(metadata={"format": "date-time"})
    code_sent = fields.Boolean()
    channel = fields.String()
    expires_in = fields.Integer()


class CodeSentSchema(Schema):
    code_sent = fields.Boolean()
    channel = fields.String()
    expires_in = fields.Integer()


class TotpResultSchema(Schema):
    """Without code: the new secret and its otpauth URI; with code: the app confirmed."""
    secret = fields.String()
    otpauth_uri = fields.String()
    totp_enabled = fields.Boolean()
    channels = fields.List(fields.String())


class LoggedOutSchema(Schema):
    logged_out = fields.Boolean()


class PasswordChangedSchema(Schema):
    password_changed = fields.Boolean()


class AcceptedSchema(Schema):
    accepted = fields.Boolean()


class PasswordResetSchema(Schema):
    password_reset = fields.Boolean()
