"""Matching's reasons in words: a reason is {"code", "params"} (domain/matching.py); its text is the
code's message (contract/messages.py) with each parameter said as a person reads it (a request type
by its label, a direction in words, times in America/Montreal), never as a code or an ISO string.
The API's `message` of a reason and the coordinators' pages both read it here."""
from __future__ import annotations

from ims_common.messages import translate
from ims_common.times import format_local

from . import messages as _messages  # noqa: F401  (registers the codes translate reads)
from .vocabulary import mode_label

DIRECTIONS = {"exact": ("même sens", "same direction"), "reverse": ("sens inverse", "reverse direction")}
WEEKDAYS = (("lundi", "Monday"), ("mardi", "Tuesday"), ("mercredi", "Wednesday"), ("jeudi", "Thursday"),
            ("vendredi", "Friday"), ("samedi", "Saturday"), ("dimanche", "Sunday"))
TIMES = ("start_at", "end_at")
INACTIVITY_TIMES = ("start", "end")       # matching.inactivity_period gives UTC ISO instants


def _words(code: str, params: dict, lang: str) -> dict:
    english = lang == "en"
    out = dict(params)
    if isinstance(out.get("mode"), str):
        out["mode"] = mode_label(out["mode"], lang) or out["mode"]
    if out.get("direction") in DIRECTIONS:
        out["direction"] = DIRECTIONS[out["direction"]][english]
    if isinstance(out.get("weekday"), int) and 0 <= out["weekday"] < 7:
        out["weekday"] = WEEKDAYS[out["weekday"]][english]
    for name in TIMES + (INACTIVITY_TIMES if code == "matching.inactivity_period" else ()):
        if isinstance(out.get(name), str) and "T" in out[name]:
            out[name] = format_local(out[name]) or out[name]
    if code == "matching.document_invalid" and not out.get("expires_on"):
        out["expires_on"] = "aucune date" if not english else "no date"
    if isinstance(out.get("km"), float):
        out["km"] = f"{out['km']:.1f}".replace(".", "," if not english else ".")
    return out


def reason_text(reason, lang: str = "fr") -> str:
    """One reason (a dict {"code", "params"}) as a sentence in `lang` (fr or en)."""
    if not isinstance(reason, dict) or not isinstance(reason.get("code"), str):
        return ""
    params = reason.get("params") if isinstance(reason.get("params"), dict) else {}
    return translate(reason["code"], lang, _words(reason["code"], params, lang))


def reasons_text(reasons, lang: str = "fr") -> str:
    """Several reasons as one sentence, joined the way each language lists them."""
    separator = "; " if lang == "en" else " ; "
    return separator.join(t.rstrip(".") for t in (reason_text(r, lang) for r in reasons or []) if t)
