"""Pay periods on the web (issue 15, item 5): one period's totals and its statements per interpreter
(on screen and as PDF), and closing it through a confirmation that states what closing locks and
lists the amounts still provisional (validated first, or carried to the next period). Payroll owns
the periods and their rules (a period that has not ended cannot be closed, a provisional amount must
be validated or carried): the pages ask it and show its refusals in words."""
from __future__ import annotations

import base64
import binascii
import io

from flask import redirect, render_template, request, send_file, url_for

from gateway.rpc import ServiceError
from gateway.web import current_actor, login_required, message_of, page_lang, rpc, web
from gateway.web.views_bookings import STAFF
from gateway.web.views_validation import interpreter_names
from ims_common.errors import IMSError
from services.payroll.contract.vocabulary import flag_label


def _period(period_id: str) -> dict:
    return rpc("payroll", "get_period", current_actor(), period_id)


@web.route("/paie/<period_id:period_id>")
@login_required(*STAFF)
def pay_period(period_id: str):
    return render_template("web/pay_period.html", p=_period(period_id), closed_now=request.args.get("fermee"))


@web.route("/paie/<period_id:period_id>/releves/<user_id:user_id>")
@login_required(*STAFF)
def pay_statement(period_id: str, user_id: str):
    statement = rpc("payroll", "statement", current_actor(), period_id, user_id)
    lang = page_lang()
    for item in statement.get("items") or ():
        item["flag_words"] = [flag_label(f, lang) for f in item.get("flags") or ()]
    return render_template("web/pay_statement.html", s=statement, period_id=period_id)


@web.route("/paie/<period_id:period_id>/releves/<user_id:user_id>.pdf")
@login_required(*STAFF)
def pay_statement_pdf(period_id: str, user_id: str):
    actor = dict(current_actor(), lang=page_lang())     # the PDF in the page's language
    result = rpc("payroll", "statement_pdf", actor, period_id, user_id)
    try:
        content = base64.b64decode(result["content_base64"], validate=True)
        filename = str(result["filename"])
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise ServiceError(502, "service.error", "payroll") from None
    return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=True,
                     download_name=filename, max_age=0)


def _close_page(period_id: str, error: str = "", carried: list[str] | None = None, status: int = 200):
    period = _period(period_id)
    names = interpreter_names(current_actor()) if period.get("provisional_items") else {}
    lang = page_lang()
    for item in period.get("provisional_items") or ():
        item["name"] = names.get(item["interpreter_id"], item["interpreter_id"])
        item["flag_words"] = [flag_label(f, lang) for f in item.get("flags") or ()]
    return render_template("web/pay_close.html", p=period, error=error,
                           carried=set(carried or ()), submitted=request.method == "POST"), status


@web.route("/paie/<period_id:period_id>/fermer", methods=["GET"])
@login_required(*STAFF)
def pay_close_confirm(period_id: str):
    return _close_page(period_id)


@web.post("/paie/<period_id:period_id>/fermer")
@login_required(*STAFF)
def pay_close(period_id: str):
    """Closes after the confirmation; the provisional amounts ticked are carried to the next period.
    A refusal (not ended, provisional amounts neither validated nor carried) is the confirmation
    again with payroll's reason in words and the boxes as they were ticked."""
    carry = [k for k in request.form.getlist("carry") if k][:5000]
    try:
        rpc("payroll", "close_period", current_actor(), period_id, carry or None)
    except (IMSError, ServiceError) as exc:
        if isinstance(exc, IMSError) and exc.http_status == 404:
            raise
        return _close_page(period_id, message_of(exc), carry, getattr(exc, "http_status", 503))
    return redirect(url_for("web.pay_period", period_id=period_id, fermee=1))
