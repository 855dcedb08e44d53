"""Roles and who may manage accounts."""
from __future__ import annotations

REQUESTER = "requester"
INTERPRETER = "interpreter"
COORDINATOR = "coordinator"
ADMIN = "admin"

ROLES = (REQUESTER, INTERPRETER, COORDINATOR, ADMIN)
STAFF = (COORDINATOR, ADMIN)   # an admin may do all a coordinator may


def is_staff(role: str | None) -> bool:
    return role in STAFF


def may_grant(actor_role: str | None, roles: set[str]) -> bool:
    """Staff create accounts; only an admin hands out the admin role."""
    if not is_staff(actor_role):
        return False
    return ADMIN not in roles or actor_role == ADMIN
