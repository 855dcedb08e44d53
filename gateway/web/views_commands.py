"""A booking's commands as pages: the confirmation before a command that cannot be undone, the command
itself, and the page it answers with. Every command answers with a page that exists for the person:
an interpreter who withdrew (or declined) no longer sees the booking, so they land on a page saying
what happens next instead of the booking's (which would be "Introuvable"); a refusal shows the
confirmation again with what was typed and the errors beside their fields."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.rpc import ServiceError
from gateway.web import current_actor, error_code, field_errors, login_required, message_of, rpc, web
from gateway.web.communications import line_errors, lines_typed, payload as communications_payload, with_one_more
from gateway.web.views_bookings import _booking, detail_page
from ims_common.errors import IMSError

MAX_LINES = 50          # booking's MAX_COMMUNICATIONS (the outcome page's count)


def late_cancellation(booking: dict) -> bool:
    """A cancellation now would be paid as planned (billed), under the pay policy in force: payroll
    owns the rule and its window (late_cancellation_business_hours). Unknown (payroll not answering):
    no warning rather than no page."""
    if not booking.get("start_at"):
        return False
    try:
        terms = rpc("payroll", "cancellation_terms", current_actor(), booking["start_at"], booking.get("mode"))
    except (IMSError, ServiceError):
        return False
    return bool(terms.get("paid_as_planned"))


CONFIRMATIONS = {
    "withdraw": lambda: _("Vous rendez cette réservation à la Banque d'interprètes : elle redevient « En attente » "
                          "et sera offerte à d'autres interprètes. "
                          "À moins de 48 heures du début, appelez plutôt la BI."),
    "decline": lambda: _("L'offre disparaîtra de votre liste et ne vous sera plus proposée."),
    "cancel": lambda: _("La demande sera annulée et l'interprète assigné en sera avisé."),
    "close": lambda: _("Le rapport est validé et la réservation est achevée : seule une correction de la BI "
                       "pourra encore la modifier (ajustement de paie)."),
}


def confirm_page(booking: dict, command: str, *, lines=None, error=None, errors=None, status=200):
    errors = errors or {}
    lines = lines if lines is not None else [{"at": "", "purpose": "", "requested_by": ""}]
    return render_template("web/confirm.html", b=booking, command=command, explain=CONFIRMATIONS[command](),
                           late_cancel=command == "cancel" and late_cancellation(booking), lines=lines,
                           error=error, errors=errors, line_errors=line_errors(errors, lines),
                           reason=request.form.get("reason", "")), status


@web.route("/reservations/<booking_id:booking_id>/confirmer/<command>", methods=["GET", "POST"])
@login_required()
def confirm(booking_id: str, command: str):
    """GET: the confirmation. POST (withdraw's "Ajouter une ligne"): the same, one line more, with
    everything typed kept."""
    if command not in CONFIRMATIONS:
        abort(404)
    booking = _booking(booking_id)
    lines = None
    if request.method == "POST":
        lines = with_one_more(lines_typed())
    return confirm_page(booking, command, lines=lines)


SIMPLE_COMMANDS = {"accept": (), "decline": ("reason",), "withdraw": ("reason",), "cancel": ("reason",),
                   "close": ("comment",)}


def refused(booking_id: str, command: str, exc: IMSError):
    """A refusal: the confirmation again (what was typed kept) for the commands that have one, else
    the booking with the message; a booking the person may no longer see: a page saying why."""
    try:
        booking = _booking(booking_id)
    except IMSError:
        return render_template("web/outcome.html", booking_id=booking_id, outcome="gone",
                               message=message_of(exc)), exc.http_status
    if command in ("withdraw", "cancel", "close", "decline"):
        lines = lines_typed() if command == "withdraw" else None
        return confirm_page(booking, command, lines=lines or None, error=message_of(exc),
                            errors=field_errors(exc), status=exc.http_status)
    if command in ("offer", "assign"):      # matching's reasons are in the message: said on the page
        from gateway.web.candidates import refusal_message
        return detail_page(booking, refusal_message(exc, booking), exc.http_status, typed=dict(request.form))
    return redirect(url_for("web.booking_detail", booking_id=booking_id, erreur=error_code(exc)))


@web.post("/reservations/<booking_id:booking_id>/<command>")
@login_required()
def command(booking_id: str, command: str):
    actor = current_actor()
    if command in SIMPLE_COMMANDS:
        payload: dict = {k: request.form[k].strip() for k in SIMPLE_COMMANDS[command]
                         if request.form.get(k, "").strip()}
        if command == "cancel":
            payload.setdefault("reason", _("Annulée par le demandeur"))
        if command == "withdraw":
            communications = communications_payload(lines_typed())
            if communications:
                payload["communications"] = communications
    elif command == "offer" and request.form.get("all_qualified"):
        payload = {"all_qualified": True}     # booking offers it to every qualified interpreter at once
    elif command == "offer":
        payload = {"interpreter_ids": request.form.getlist("interpreter_ids")}
    elif command == "assign":
        payload = {"interpreter_id": request.form.get("interpreter_id", "")}
        if request.form.get("override_reason", "").strip():
            payload["override_reason"] = request.form["override_reason"].strip()[:2000]
    else:
        abort(404)
    try:
        before = rpc("booking", "get_booking", actor, booking_id)
        rpc("booking", "execute", actor, booking_id, command, payload)
    except IMSError as exc:
        if exc.http_status == 404:
            raise
        return refused(booking_id, command, exc)
    if command == "decline":
        return redirect(url_for("web.outcome", booking_id=booking_id, quoi="refus"))
    if command == "withdraw" and actor["role"] == "interpreter":
        return redirect(url_for("web.outcome", booking_id=booking_id, quoi="retrait",
                                communications=len(payload.get("communications") or [])))
    notice = {"accept": "confirmee" if before.get("status") == "modified" else "acceptee",
              "withdraw": "retiree", "cancel": "annulee", "close": "achevee", "offer": "offerte",
              "assign": "assignee"}.get(command)
    if command == "offer" and payload.get("all_qualified"):
        notice = "offerte-tous"
    return redirect(url_for("web.booking_detail", booking_id=booking_id, fait=notice))


@web.route("/reservations/<booking_id:booking_id>/suite")
@login_required("interpreter")
def outcome(booking_id: str):
    """After a withdrawal or a declined offer: the booking has left the interpreter's list, so this page
    (not the booking's) says what happens next. It shows nothing of the booking but its number."""
    what = request.args.get("quoi")
    if what not in ("retrait", "refus"):
        abort(404)
    count = max(0, min(MAX_LINES, request.args.get("communications", 0, type=int) or 0))
    return render_template("web/outcome.html", booking_id=booking_id, outcome=what, communications=count)


def field_value(name: str, value) -> str:
    """A booking field's value in words, for what a modification changed."""
    from gateway.web import mode_label
    from gateway.web.views_list import duration_label
    if value in (None, ""):
        return "—"
    if name == "mode":
        return mode_label(value)
    if name == "duration_minutes":
        return duration_label(value)
    if name in ("source_language", "target_language", "context"):
        from gateway.web.reference_labels import ref_label
        return ref_label("context" if name == "context" else "language", value)
    return str(value)


@web.app_context_processor
def _command_helpers():
    from gateway.web import page_lang
    from services.booking.contract.vocabulary import field_label
    return {"booking_field_label": lambda name: field_label(name, page_lang()), "field_value": field_value}
