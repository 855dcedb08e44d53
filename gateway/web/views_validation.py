"""The coordinators' validation queue (issue 15, item 4): each reported service, and each cancelled
booking that pays someone, with what payroll computed for it (amounts, provisional, and the flags
payroll raised for the bank to look at), validated (booking's close) or sent back to its interpreter
with a comment (booking's return-report). The rules stay with their owners: booking decides what
awaits validation (its to_validate queue), payroll what is flagged and how much is paid."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.rpc import ServiceError
from gateway.web import current_actor, field_errors, login_required, message_of, page_lang, rpc, web
from gateway.web.views_bookings import STAFF
from ims_common.errors import IMSError
from services.payroll.contract.vocabulary import flag_label

QUEUE_SIZE = 100


def interpreter_names(actor: dict) -> dict[str, str]:
    """user_id -> "First Last" of every interpreter account (inactive ones too: an old report's)."""
    names: dict[str, str] = {}
    for page in range(1, 21):
        try:
            result = rpc("auth", "list_accounts", actor, {"role": "interpreter", "page": page, "per_page": 200})
        except (IMSError, ServiceError):
            break
        for a in result.get("items") or []:
            names[a["user_id"]] = f"{a.get('first_name') or ''} {a.get('last_name') or ''}".strip() or a["user_id"]
        if page * 200 >= (result.get("total") or 0):
            break
    return names


def _pay_of(actor: dict, booking_id: str) -> list[dict] | None:
    """Payroll's remunerations of the booking (None: not computed yet, or payroll not answering)."""
    try:
        return rpc("payroll", "get_remuneration", actor, booking_id).get("items") or []
    except (IMSError, ServiceError):
        return None


def queue_rows(actor: dict) -> list[dict]:
    items = rpc("booking", "list_bookings", actor, {"queue": "to_validate", "per_page": QUEUE_SIZE})["items"]
    names = interpreter_names(actor)
    lang = page_lang()
    rows = []
    for summary in items:
        booking = rpc("booking", "get_booking", actor, summary["id"])
        pay = _pay_of(actor, booking["id"])
        for item in pay or ():
            item["name"] = names.get(item.get("interpreter_id"), item.get("interpreter_id"))
        uid = booking.get("assigned_interpreter_id") or booking.get("reported_by")
        rows.append({"b": booking, "interpreter": names.get(uid, uid) if uid else "", "pay": pay,
                     "flags": sorted({flag_label(f, lang) for item in pay or () for f in item.get("flags") or ()})})
    return rows


def _page(errors: dict | None = None, typed: dict | None = None, error_for: str = "", error: str = "",
          status: int = 200):
    actor = current_actor()
    return render_template("web/validation.html", rows=queue_rows(actor), errors=errors or {}, typed=typed or {},
                           error_for=error_for, error=error, done=request.args.get("fait"),
                           done_id=request.args.get("reservation", "")[:40]), status


@web.route("/validation")
@login_required(*STAFF)
def validation():
    return _page()


DECISIONS = {"valider": "close", "renvoyer": "return-report"}


@web.post("/validation/<booking_id:booking_id>/<decision>")
@login_required(*STAFF)
def validation_decide(booking_id: str, decision: str):
    """Validate (an optional comment) or send back (a required comment, checked here first so the
    message is beside its field); a refusal shows the queue again with what was typed."""
    command = DECISIONS.get(decision)
    if command is None:
        return redirect(url_for("web.validation"))
    comment = request.form.get("comment", "").strip()[:2000]
    typed = {booking_id: {decision: request.form.get("comment", "")}}
    if command == "return-report" and not comment:
        return _page({booking_id: {"renvoyer": [_("Dites à l'interprète ce qu'il doit revoir.")]}}, typed,
                     booking_id, _("Le rapport n'est pas renvoyé : un commentaire est obligatoire."), 400)
    try:
        rpc("booking", "execute", current_actor(), booking_id, command, {"comment": comment} if comment else {})
    except (IMSError, ServiceError) as exc:
        if isinstance(exc, IMSError) and exc.http_status == 404:
            raise
        errors = {booking_id: {decision: sum(field_errors(exc).values(), [])}}
        return _page(errors, typed, booking_id, message_of(exc), getattr(exc, "http_status", 503))
    return redirect(url_for("web.validation", fait=decision, reservation=booking_id))
