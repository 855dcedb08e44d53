"""The views of the bookings page a person may make their default (the deck's "Définir comme valeur
par défaut"). The gateway draws them; auth keeps each person's choice in the profile (`list_view`),
so it follows them from one device to the next.

A choice is a view, alone (cards on a phone, the table on a wide screen) or with its display:
"en-cours" (from today on, soonest first), "apres" (past ones, latest first), "remuneration" (past
services with their pay), "calendrier" (the month calendar)."""
from __future__ import annotations

LIST_VIEWS = ("en-cours", "apres", "remuneration")
CALENDAR = "calendrier"
DISPLAYS = ("cartes", "tableau")
DEFAULT = "en-cours"
CHOICES = (*LIST_VIEWS, CALENDAR, *(f"{view}/{display}" for view in LIST_VIEWS for display in DISPLAYS))


def parse(choice: str | None) -> tuple[str, str | None]:
    """(view, display or None) of a stored choice; the default for anything unknown."""
    if choice not in CHOICES:
        return DEFAULT, None
    view, _slash, display = (choice or "").partition("/")
    return view, display or None
