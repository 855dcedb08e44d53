"""The booking work page's interpreters (issue 15, item 2): matching's qualified candidates ranked
first with why they fit, then the excluded ones with why not, then any other active interpreter;
each reason in words (booking's contract/reasons.py), the establishment said by its name. A refused
offer or assignment is said the same way: who, and every reason matching gives."""
from __future__ import annotations

from gateway.rpc import ServiceError
from gateway.web import current_actor, message_of, page_lang, rpc
from gateway.web.views_list import establishment_names, facility_names
from ims_common.errors import IMSError
from ims_common.messages import translate
from services.booking.contract.reasons import reason_text, reasons_text

STAFF = ("coordinator", "admin")
# The refusals whose params name the interpreter and matching's reasons.
EXCLUDED = ("booking.assign_excluded", "booking.interpreter_excluded")


def _named(reasons, names: dict[str, str]) -> list[dict]:
    """The reasons with an establishment code replaced by its name."""
    out = []
    for r in reasons or []:
        params = r.get("params") if isinstance(r, dict) and isinstance(r.get("params"), dict) else None
        if params and params.get("establishment") in names:
            r = dict(r, params=dict(params, establishment=names[params["establishment"]]))
        out.append(r)
    return out


def place_names(actor: dict, booking: dict) -> dict[str, str]:
    """The booking's establishment and facility by their names (their codes when reference data does
    not know them)."""
    out = {}
    for field, names in (("establishment", establishment_names), ("facility", facility_names)):
        code = booking.get(field)
        if code:
            out[field] = names(actor, [booking]).get(code, code)
    return out


def offer_choices(actor: dict, booking: dict) -> list[dict]:
    """Whom a coordinator may offer a pending booking to: {user_id, name, kind (candidate, excluded,
    other), score, reasons (in words)}, in matching's order."""
    if actor["role"] not in STAFF or booking["status"] != "pending":
        return []
    try:
        match = rpc("booking", "candidates", actor, booking["id"])
    except (IMSError, ServiceError):
        match = {}
    names = establishment_names(actor, [booking])
    lang = page_lang()
    rows, seen = [], set()
    for kind, items in (("candidate", match.get("candidates") or []), ("excluded", match.get("excluded") or [])):
        for c in items:
            uid = c.get("interpreter_id")
            if uid and uid not in seen:
                seen.add(uid)
                rows.append({"user_id": uid, "name": c.get("name") or "", "kind": kind, "score": c.get("score"),
                             "reasons": [reason_text(r, lang) for r in _named(c.get("reasons"), names)]})
    for a in _interpreters(actor):
        if a["user_id"] not in seen:
            rows.append({"user_id": a["user_id"], "name": f"{a.get('first_name', '')} {a.get('last_name', '')}".strip(),
                         "kind": "other", "score": None, "reasons": []})
    return rows


def _interpreters(actor: dict) -> list[dict]:
    try:
        return rpc("auth", "list_accounts", actor, {"role": "interpreter", "active": True, "per_page": 200})["items"]
    except (IMSError, ServiceError):
        return []


def refusal_message(exc, booking: dict) -> str:
    """A refused offer or assignment in words: booking names the interpreter and says matching's
    reasons; said again here with the establishment by its name."""
    params = getattr(exc, "params", None)
    if getattr(exc, "code", None) not in EXCLUDED or not isinstance(params, dict) or not params.get("reasons"):
        return message_of(exc)
    reasons = _named(params["reasons"], establishment_names(current_actor(), [booking]))
    why = {lang: reasons_text(reasons, lang) for lang in ("fr", "en")}
    return translate(exc.code, page_lang(), dict(params, why=why))


def override_text(booking: dict, names: dict[str, str]) -> dict | None:
    """The coordinator's recorded override of matching's exclusions, in words: {reason, at, by (a
    name), why}."""
    override = booking.get("assign_override")
    if not override:
        return None
    reasons = _named(override.get("exclusions"), establishment_names(current_actor(), [booking]))
    by = override.get("by")
    if by and by not in names:
        try:
            account = rpc("auth", "get_account", current_actor(), by)
            names = {by: f"{account.get('first_name') or ''} {account.get('last_name') or ''}".strip() or by}
        except (IMSError, ServiceError):
            names = {}
    return {"reason": override.get("reason"), "at": override.get("at"), "by": names.get(by, ""),
            "why": reasons_text(reasons, page_lang())}
