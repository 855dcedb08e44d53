"""Who may manage accounts (the roles themselves are auth's contract vocabulary)."""
from __future__ import annotations

from services.auth.contract.vocabulary import (  # noqa: F401  (R.ROLES… in the domain)
    ADMIN, COORDINATOR, INTERPRETER, REQUESTER, ROLES, STAFF, is_staff,
)


def may_grant(actor_role: str | None, roles: set[str]) -> bool:
    """Staff create accounts; only an admin hands out the admin role."""
    if not is_staff(actor_role):
        return False
    return ADMIN not in roles or actor_role == ADMIN
