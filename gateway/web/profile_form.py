"""The profile page's sections that the person changes (the deck, part 3): each form read into the
partial profile auth's `update_profile` takes, and the words the page shows for stored values. The
bank's sections (languages, contexts, financial record) are only shown: their forms are the
coordinators' (views_interpreter_edit.py). Contact data: views_account.py."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from gateway.schemas.profiles import GENDERS, REGIONS
from services.booking.contract.vocabulary import MODES

PERSONAL = ("address", "postal_code", "country", "work_region_postal_code")
ALWAYS, CUSTOM = "always", "custom"


def _typed(key: str) -> str | None:
    """A text field as typed; None clears it (auth stores no empty strings)."""
    value = request.form.get(key, "").strip()
    return value or None


def personal_patch(interpreter: bool) -> dict:
    patch: dict = {"gender": request.form.get("gender") or "unspecified"}
    if interpreter:
        patch["region"] = request.form.get("region") or None
        patch.update({key: _typed(key) for key in PERSONAL})
    return patch


def modes_patch() -> dict:
    chosen = request.form.getlist("request_types")
    return {"request_types": [m for m in MODES if m in chosen]}


def notifications_patch() -> dict:
    # The deck's boxes say "Désactiver…": ticked means that channel is off.
    return {"notifications": {"sms_disabled": request.form.get("sms_disabled") == "on",
                              "email_disabled": request.form.get("email_disabled") == "on"}}


def availability_patch() -> dict:
    slots = []
    for day in range(7):
        start, end = request.form.get(f"start_{day}", ""), request.form.get(f"end_{day}", "")
        if start and end:
            slots.append({"weekday": day, "start": start, "end": end})
    return {"availability": {"always": request.form.get("availability") != CUSTOM, "slots": slots}}


def gender_options() -> list[tuple[str, str]]:
    words = {"unspecified": _("Non spécifié"), "female": _("Femme"), "male": _("Homme"), "other": _("Autre")}
    return [(g, words[g]) for g in GENDERS]


def region_options() -> list[tuple[str, str]]:
    return [(r, r) for r in REGIONS]   # the bank's names ("08-Abitibi-Témiscamingue"), the same in both languages


def yes_no(value) -> str:
    return _("Oui") if value else _("Non")
