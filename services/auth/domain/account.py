"""The Account aggregate: its events, how they fold into state, and the commands that decide them.

The password hash is never part of an event: events are published to every subscriber of
auth.events. Hashes live beside the events in the service's credential store (app/credentials.py)."""
from __future__ import annotations

from dataclasses import dataclass, asdict, fields as dc_fields
from typing import Iterable, Optional

from ims_common import validation as v
from ims_common.errors import ValidationFailed
from services.auth.contract.events import (ACCOUNT_CREATED, ACCOUNT_DEACTIVATED, ACCOUNT_REACTIVATED,
                                           PASSWORD_CHANGED, PROFILE_UPDATED, account_stream)
from services.auth.domain import fields as F
from services.auth.domain import passwords
from services.auth.domain import roles as R

CREATE_FIELDS = ("email", "first_name", "last_name", "role", "secondary_role", "default_role",
                 "establishment", "display_language", "password")


stream_id = account_stream


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
        known: dict = {f.name: d.get(f.name) for f in dc_fields(cls) if f.name in d}
        return cls(**known)

    @property
    def personal_words(self) -> list[str]:
        return passwords.personal_words(self.first_name, self.last_name, self.email, self.user_id)


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
    if type_ in (ACCOUNT_DEACTIVATED, ACCOUNT_REACTIVATED):
        account.active = type_ == ACCOUNT_REACTIVATED
    if type_ == PROFILE_UPDATED:   # the full profile (domain/profile.py): login fields follow it
        for name in ("email", "first_name", "last_name", "display_language", "establishment"):
            if data.get(name) is not None or name == "establishment" and name in data:
                setattr(account, name, data.get(name))
    # Unknown types (from newer code) leave the state as is rather than break old readers.
    return account


def validate_new_account(fields, estimator: passwords.Estimator | None = None) -> dict:
    """Checked, normalized fields of a new account; raises ValidationFailed (request.invalid) listing
    every problem. The password is optional here: absent means the app issues a temporary one; given,
    it must pass the password rule (the reasons are its field's codes and the `reasons` param)."""
    errors = v.Errors()
    if not isinstance(fields, dict):
        errors.add("_schema", "field.not_an_object")
        errors.raise_if_any()
    for key in fields:
        if key not in CREATE_FIELDS:
            errors.add(key, "field.unknown")
    clean: dict = {
        "email": v.email(fields.get("email"), "email", errors, required=True),
        "first_name": F.name(fields.get("first_name"), "first_name", errors),
        "last_name": F.name(fields.get("last_name"), "last_name", errors),
        "role": v.one_of(fields.get("role"), R.ROLES, "role", errors, required=True),
        "secondary_role": v.one_of(fields.get("secondary_role"), R.ROLES, "secondary_role", errors),
        "display_language": v.one_of(fields.get("display_language"), F.LANGUAGES, "display_language",
                                     errors, default="fr"),
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
        clean["establishment"] = F.establishment(fields.get("establishment"), "establishment", errors)
    else:
        clean["establishment"] = None
        if fields.get("establishment") not in (None, ""):
            errors.add("establishment", "field.invalid")
    password = fields.get("password")
    found: list[dict] = []
    if password is not None:
        words = passwords.personal_words(clean["first_name"], clean["last_name"], clean["email"])
        found = passwords.reasons(password, words, estimator)
        for reason in found:
            errors.add("password", reason["code"])
    if errors:
        raise ValidationFailed(v.INVALID, {"fields": ", ".join(errors.fields), "reasons": found}
                               if found else {"fields": ", ".join(errors.fields)}, errors.fields)
    clean["password"] = password
    return clean


def account_created(clean: dict, user_id: str, created_at: str, must_change_password: bool) -> tuple[str, dict]:
    data = {k: clean[k] for k in ("email", "first_name", "last_name", "role", "secondary_role",
                                  "default_role", "establishment", "display_language")}
    data.update(user_id=user_id, active=True, must_change_password=must_change_password,
                created_at=created_at)
    return ACCOUNT_CREATED, data
