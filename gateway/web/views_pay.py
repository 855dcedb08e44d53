"""The interpreter's "Ma rémunération": their pay per period (payroll's statement: a line per booking
with its amounts and their rules, adjustments, the totals with taxes) and the statement as a PDF."""
from __future__ import annotations

import base64
import io

from flask import abort, render_template, request, send_file

from gateway.web import current_actor, login_required, rpc, web
from ims_common.errors import IMSError


@web.route("/ma-remuneration")
@login_required("interpreter")
def my_pay():
    actor = current_actor()
    periods = rpc("payroll", "list_periods", actor) or []
    ids = [p["id"] for p in periods]
    asked = request.args.get("periode")
    if asked is not None and asked not in ids:
        abort(404)
    # The latest period holding something, else the current one.
    chosen = asked or next((p["id"] for p in periods if p.get("total") not in (None, "0.00", "0")), None) \
        or (ids[0] if ids else None)
    statement = None
    if chosen:
        try:
            statement = rpc("payroll", "statement", actor, chosen)
        except IMSError as exc:
            if exc.http_status != 404:
                raise
    return render_template("web/my_pay.html", periods=periods, chosen=chosen, statement=statement)


@web.route("/ma-remuneration/<period_id:period_id>.pdf")
@login_required("interpreter")
def my_pay_pdf(period_id: str):
    actor = current_actor()
    if period_id not in [p["id"] for p in rpc("payroll", "list_periods", actor) or []]:
        abort(404)
    result = rpc("payroll", "statement_pdf", actor, period_id, actor["user_id"])
    return send_file(io.BytesIO(base64.b64decode(result["content_base64"])), mimetype="application/pdf",
                     as_attachment=True, download_name=f"releve-{period_id}.pdf", max_age=0)
