"""A coordinator creates an interpreter's account from the web (issue 15, item 3): auth issues a
temporary password and emails it (the person changes it at first sign-in); a refusal (an email
already used, a name auth refuses) shows the form again with what was typed and each message
beside its field."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.rpc import ServiceError
from gateway.web import current_actor, field_errors, login_required, message_of, rpc, web
from gateway.web.views_bookings import STAFF
from ims_common.errors import IMSError

FIELDS = ("first_name", "last_name", "email")


def _form_page(form: dict, errors: dict | None = None, error: str = "", status: int = 200):
    return render_template("web/interpreter_new.html", form=form, errors=errors or {}, error=error), status


@web.route("/interpretes/nouveau", methods=["GET", "POST"])
@login_required(*STAFF)
def interpreter_new():
    if request.method == "GET":
        return _form_page({})
    form = {k: request.form.get(k, "").strip()[:200] for k in FIELDS}
    errors = {k: [_("Ce champ est obligatoire.")] for k in FIELDS if not form[k]}
    if errors:
        return _form_page(form, errors, _("Vérifiez les champs indiqués."), 400)
    try:
        account = rpc("auth", "create_account", current_actor(), {**form, "role": "interpreter"})
    except (IMSError, ServiceError) as exc:
        if isinstance(exc, IMSError) and exc.http_status == 404:
            raise
        return _form_page(form, field_errors(exc), message_of(exc), getattr(exc, "http_status", 503))
    return redirect(url_for("web.interpreters", cree=account["user_id"]))
