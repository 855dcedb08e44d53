"""The Account aggregate: its events, how they fold into state, and the commands that decide them.

The password hash is never part of an event: events are published to every subscriber of
auth.events. Hashes live beside the events in the service's credential store (see AuthApp)."""
from __future__ import annotations

from dataclasses import dataclass, asdict, fields as dc_fields
from typing import Iterable, Optional

from services.auth.domain import roles as R
from services.auth.domain import validation as v
from services.auth.domain.passwords import password_problems

ACCOUNT_CREATED = "AccountCreated"
PASSWORD_CHANGED = "PasswordChanged"

CREATE_FIELDS = ("email", "first_name", "last_name", "role", "secondary_role", "default_role",
                 "establishment", "display_language", "password")


def stream_id(user_id: str) -> str:
    return f"account-{user_id}"


@dataclass
class Account:
    user_id: str
    email: str
    first_name: str
    last_name: str
    role: str
    secondary_role: Optional[str]
    default_role: str
    establishment: Optional[str]
    display_language: str
    active: bool
    must_change_password: bool
    created_at: str
    version: int = 0          # stream version of the last event folded in

    @property
    def roles(self) -> set[str]:
        return {r for r in (self.role, self.secondary_role) if r}

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def to_dict(self) -> dict:
        """The account as the contract shows it (no version, never a hash)."""
        d = asdict(self)
        d.pop("version")
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Account":
        return cls(**{f.name: d.get(f.name) for f in dc_fields(cls) if f.name in d})

    # ---- commands ----

    def change_password(self) -> tuple[str, dict]:
        """The caller has checked the rule and stored the new hash; this records the fact."""
        return PASSWORD_CHANGED, {"user_id": self.user_id}


def fold(events: Iterable) -> Optional[Account]:
    """State from a stream's events (objects with .type, .data, .stream_version); None if empty."""
    account: Optional[Account] = None
    for event in events:
        account = apply(account, event.type, event.data)
        account.version = event.stream_version
    return account


def apply(account: Optional[Account], type_: str, data: dict) -> Account:
    if type_ == ACCOUNT_CREATED:
        return Account.from_dict(data)
    if account is None:
        raise ValueError(f"{type_} before {ACCOUNT_CREATED}")
    if type_ == PASSWORD_CHANGED:
        account.must_change_password = False
    if type_ in ("AccountDeactivated", "AccountReactivated"):   # services/auth/security.py
        account.active = type_ == "AccountReactivated"
    if type_ == "ProfileUpdated":   # the full profile (services/auth/domain/profile.py): login fields follow it
        for name in ("email", "first_name", "last_name", "display_language", "establishment"):
            if data.get(name) is not None or name == "establishment" and name in data:
                setattr(account, name, data.get(name))
    # Unknown types (from newer code) leave the state as is rather than break old readers.
    return account


def validate_new_account(fields) -> dict:
    """Checked, normalized fields of a new account; raises ValidationFailed listing every problem.
    The password is optional here: absent means the app issues a temporary one."""
    errors = v.Errors()
    if not isinstance(fields, dict):
        errors.add("_schema", "field.not_an_object")
        errors.raise_if_any()
    for key in fields:
        if key not in CREATE_FIELDS:
            errors.add(key, "field.unknown")
    clean: dict = {
        "email": v.email(fields.get("email"), errors),
        "first_name": v.text(fields.get("first_name"), "first_name", errors, v.NAME_MAX),
        "last_name": v.text(fields.get("last_name"), "last_name", errors, v.NAME_MAX),
        "role": v.one_of(fields.get("role"), R.ROLES, "role", errors),
        "secondary_role": v.one_of(fields.get("secondary_role"), R.ROLES, "secondary_role", errors,
                                   required=False),
        "display_language": v.one_of(fields.get("display_language"), v.LANGUAGES, "display_language",
                                     errors, required=False, default="fr"),
    }
    role, secondary = clean["role"], clean["secondary_role"]
    if secondary is not None and secondary == role:
        errors.add("secondary_role", "field.invalid")
    chosen = {r for r in (role, secondary) if r}
    default = fields.get("default_role")
    if default is None:
        clean["default_role"] = role
    elif default not in chosen:
        errors.add("default_role", "field.not_one_of")
    else:
        clean["default_role"] = default
    # Only requesters belong to an establishment (it scopes the bookings they see).
    if R.REQUESTER in chosen:
        clean["establishment"] = v.establishment(fields.get("establishment"), errors)
    else:
        clean["establishment"] = None
        if fields.get("establishment") not in (None, ""):
            errors.add("establishment", "field.invalid")
    password = fields.get("password")
    if password is not None:
        words = (clean["first_name"], clean["last_name"], clean["email"])
        for code in password_problems(password, words):
            errors.add("password", code)
    errors.raise_if_any()
    clean["password"] = password
    return clean


def account_created(clean: dict, user_id: str, created_at: str, must_change_password: bool) -> tuple[str, dict]:
    data = {k: clean[k] for k in ("email", "first_name", "last_name", "role", "secondary_role",
                                  "default_role", "establishment", "display_language")}
    data.update(user_id=user_id, active=True, must_change_password=must_change_password,
                created_at=created_at)
    return ACCOUNT_CREATED, data
