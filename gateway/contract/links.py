"""The web pages other parts of IMS link to (emails, SMS, reset links), as path templates. The
gateway's routes serve exactly these paths (gateway/tests check every template against the URL map),
and notification and auth build their links only through `link`, so a link in a message always
opens a page that exists.

Templates use str.format names; `link(page, base_url, **params)` fills and quotes them."""
from __future__ import annotations

from urllib.parse import quote, urlencode

PAGES: dict[str, str] = {
    "home": "/",
    "login": "/connexion",
    "booking": "/reservations/{booking_id}",
    "booking_report": "/reservations/{booking_id}/rapport",   # its report form (a report sent back to correct)
    "bookings": "/reservations",
    "profile": "/profil",
    "dashboard": "/tableau-de-bord",              # coordinators: the queues (to assign, to validate)
    "interpreters": "/interpretes",               # coordinators: the interpreters' list
    "interpreter_file": "/interpretes/{user_id}",  # coordinators: one interpreter's file (documents to renew)
    "password_reset": "/reset-password",          # ?token=… (a query, never logged as a path)
}


def path(page: str, **params) -> str:
    """The path of `page` with its parameters filled (each quoted as one path segment)."""
    template = PAGES[page]
    return template.format(**{name: quote(str(value), safe="") for name, value in params.items()})


def link(page: str, base_url: str, query: dict | None = None, **params) -> str:
    """The absolute URL of `page` under `base_url` (IMS_PUBLIC_URL), with an optional query."""
    url = base_url.rstrip("/") + path(page, **params)
    return f"{url}?{urlencode(query)}" if query else url
