"""Request schemas of login and account endpoints (docs/contracts.md, auth service)."""
from __future__ import annotations

from gateway.schemas.bookings import ESTABLISHMENT
from gateway.schemas.fields import Choice, EmailStr, Int, Pattern, StrictSchema, Text
from services.auth.contract.vocabulary import ROLES
LANGS = ("fr", "en")


class LoginSchema(StrictSchema):
    identifier = Text(254, min_length=1, required=True)   # user id (UBIPN0002) or email
    password = Text(256, min_length=1, required=True)     # the auth service applies the policy


class AccountCreateSchema(StrictSchema):
    email = EmailStr(required=True)
    first_name = Text(100, min_length=1, multiline=False, required=True)   # as auth's names (domain/fields.py)
    last_name = Text(100, min_length=1, multiline=False, required=True)
    role = Choice(ROLES, required=True)
    secondary_role = Choice(ROLES)
    default_role = Choice(ROLES)
    establishment = Pattern(ESTABLISHMENT, 6)
    display_language = Choice(LANGS)
    password = Text(128, min_length=1)   # absent: the auth service issues a temporary one


class AccountQuerySchema(StrictSchema):
    role = Choice(ROLES)
    establishment = Pattern(ESTABLISHMENT, 6)
    q = Text(100, multiline=False)   # one line, as auth reads it
    page = Int(1, 100_000, strict=False, load_default=1)
    per_page = Int(1, 200, strict=False, load_default=50)
