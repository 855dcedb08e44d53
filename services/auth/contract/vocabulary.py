"""The words the auth service owns: roles and the display languages of an account. Every other part
names roles through this module."""
from __future__ import annotations

REQUESTER = "requester"
INTERPRETER = "interpreter"
COORDINATOR = "coordinator"
ADMIN = "admin"
SYSTEM = "system"    # outside systems' tokens and IMS's own timers: never a person's account

ROLES = (REQUESTER, INTERPRETER, COORDINATOR, ADMIN)     # a person's account has one of these
STAFF = (COORDINATOR, ADMIN)                             # an admin may do all a coordinator may
ACTOR_ROLES = ROLES + (SYSTEM,)                          # who may appear as an event's actor
DISPLAY_LANGUAGES = ("fr", "en")                         # an account's display_language

# The scopes of a system token (services/auth/app/system_tokens.py; docs/events/README.md).
EVENTS_READ = "events:read"             # GET /api/v1/events
EVENTS_CONTEXT = "events:context"       # the booking's health-context category in public events: opt-in
WEBHOOKS_MANAGE = "webhooks:manage"     # its own webhook subscriptions
SYSTEM_SCOPES = (EVENTS_READ, EVENTS_CONTEXT, WEBHOOKS_MANAGE)

# How a role reads on a page: (French, English).
ROLE_LABELS = {
    REQUESTER: ("Demandeur", "Requester"),
    INTERPRETER: ("Interprète", "Interpreter"),
    COORDINATOR: ("Coordonnateur", "Coordinator"),
    ADMIN: ("Administrateur", "Administrator"),
    SYSTEM: ("Système", "System"),
}


def is_staff(role) -> bool:
    return role in STAFF


def role_label(role, lang: str = "fr") -> str:
    french, english = ROLE_LABELS.get(role, ("", ""))
    return english if lang == "en" else french
