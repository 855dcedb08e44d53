"""What the bank owns in an interpreter's file, changed by a coordinator from the file page (issue 15,
item 3): language pairs (with the country of origin), the financial record, blocks per establishment,
eligibility documents with their validity, and the account's deactivation and reactivation (each
after a confirmation page). Every change goes through auth's contract: update_profile (auth checks
each value and who may change it), add_profile_file, manage_account. A refusal shows the file page
again (400) with what was typed and auth's message beside each field."""
from __future__ import annotations

import base64

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.rpc import ServiceError
from gateway.web import current_actor, field_errors, login_required, message_of, rpc, web
from gateway.web.views_account import document_form
from gateway.web.views_bookings import STAFF
from gateway.web.views_interpreter_file import render_file
from ims_common.errors import IMSError

# The prefix of each section's form fields on the page (auth names them "financial.gst_number"...).
PREFIX = {"language_pairs": "lp_", "financial": "fin_", "establishment_blocks": "blk_",
          "eligibility_documents": "doc_"}
ACCOUNT_ACTIONS = {"desactiver": "deactivate", "reactiver": "reactivate"}


def _text(name: str, limit: int = 2000) -> str | None:
    return (request.form.get(name) or "").strip()[:limit] or None


def _profile(user_id: str) -> dict:
    return rpc("auth", "get_profile", current_actor(), user_id)


def _saved(user_id: str, done: str, anchor: str):
    return redirect(url_for("web.interpreter_file_page", user_id=user_id, fait=done) + "#" + anchor)


def _refused(user_id: str, section: str, exc):
    if isinstance(exc, IMSError) and exc.http_status == 404:
        raise exc
    errors: dict = {}
    for key, messages in field_errors(exc).items():
        errors.setdefault(PREFIX[section] + key.rsplit(".", 1)[-1], []).extend(messages)
    return render_file(user_id, getattr(exc, "http_status", 503), section, errors, message_of(exc))


def _update(user_id: str, field: str, value, done: str, anchor: str):
    try:
        rpc("auth", "update_profile", current_actor(), user_id, {field: value})
    except (IMSError, ServiceError) as exc:
        return _refused(user_id, field, exc)
    return _saved(user_id, done, anchor)


def pair_key(pair: dict) -> str:
    """How the page names one language pair (a pair has no id of its own)."""
    return "|".join(pair.get(k) or "" for k in ("source", "target", "country"))


@web.post("/interpretes/<user_id:user_id>/langues")
@login_required(*STAFF)
def interpreter_languages(user_id: str):
    pairs = _profile(user_id).get("language_pairs") or []
    if request.form.get("action") == "remove":
        return _update(user_id, "language_pairs", [p for p in pairs if pair_key(p) != request.form.get("pair")],
                       "langue-retiree", "file-languages")
    pair = {"source": _text("lp_source", 200), "target": _text("lp_target", 200),
            "country": _text("lp_country", 200)}
    return _update(user_id, "language_pairs", pairs + [pair], "langue-ajoutee", "file-languages")


@web.post("/interpretes/<user_id:user_id>/finances")
@login_required(*STAFF)
def interpreter_financial(user_id: str):
    record: dict = {"legal_name": _text("fin_legal_name", 200), "supplier_number": _text("fin_supplier_number", 40)}
    for tax in ("gst", "qst"):
        record[f"{tax}_registered"] = request.form.get(f"fin_{tax}_registered") == "on"
        for part in ("number", "from", "to"):
            record[f"{tax}_{part}"] = _text(f"fin_{tax}_{part}", 40)
    return _update(user_id, "financial", record, "finances", "file-financial")


@web.post("/interpretes/<user_id:user_id>/blocages")
@login_required(*STAFF)
def interpreter_blocks(user_id: str):
    blocks = _profile(user_id).get("establishment_blocks") or []
    if request.form.get("action") == "remove":
        return _update(user_id, "establishment_blocks",
                       [b for b in blocks if b.get("establishment") != request.form.get("establishment")],
                       "blocage-retire", "file-blocks")
    code = _text("blk_establishment", 10)
    kept = [b for b in blocks if b.get("establishment") != code]    # one block per establishment
    return _update(user_id, "establishment_blocks", kept + [{"establishment": code, "reason": _text("blk_reason")}],
                   "blocage-ajoute", "file-blocks")


@web.post("/interpretes/<user_id:user_id>/documents")
@login_required(*STAFF)
def interpreter_documents(user_id: str):
    """Add a document (its scan is optional: the bank may record a certificate it has seen), change
    an existing one's validity, or remove one."""
    documents = _profile(user_id).get("eligibility_documents") or []
    action, doc_id = request.form.get("action"), request.form.get("document")
    if action == "remove":
        return _update(user_id, "eligibility_documents", [d for d in documents if d.get("id") != doc_id],
                       "document-retire", "file-documents")
    if action == "validity":
        changed = [dict(d, expires_on=_text(f"doc_expires_on_{d['id']}", 40),
                        inactive_if_invalid=request.form.get(f"doc_locks_{d['id']}") == "on")
                   if d.get("id") == doc_id else d for d in documents]
        return _update(user_id, "eligibility_documents", changed, "document-modifie", "file-documents")
    return _add_document(user_id, documents)


def _add_document(user_id: str, documents: list[dict]):
    form, errors, content, kind = document_form(file_required=False)
    if errors:
        return render_file(user_id, 400, "eligibility_documents", errors, _("Vérifiez les champs indiqués."))
    document = {"name": form["doc_name"], "description": form["doc_description"] or None,
                "expires_on": form["doc_expires_on"] or None,
                "inactive_if_invalid": request.form.get("doc_locks") == "on"}
    actor = current_actor()
    try:
        if content:
            upload = request.files["doc_file"]
            profile = rpc("auth", "add_profile_file", actor, user_id, {
                "filename": upload.filename[:200], "content_type": kind,
                "content_base64": base64.b64encode(content).decode("ascii"), "description": form["doc_name"][:200]})
            document["id"] = (profile.get("files") or [{}])[-1].get("id")   # the page links one to the other
        rpc("auth", "update_profile", actor, user_id, {"eligibility_documents": documents + [document]})
    except (IMSError, ServiceError) as exc:
        return _refused(user_id, "eligibility_documents", exc)
    return _saved(user_id, "document-ajoute", "file-documents")


@web.route("/interpretes/<user_id:user_id>/<any(desactiver, reactiver):action>", methods=["GET", "POST"])
@login_required(*STAFF)
def interpreter_account(user_id: str, action: str):
    """GET: what the change does, to confirm; POST: auth's manage_account (deactivation ends every
    session of the person at once, and matching no longer offers them anything)."""
    profile = _profile(user_id)
    error = None
    if request.method == "POST":
        try:
            rpc("auth", "manage_account", current_actor(), user_id, ACCOUNT_ACTIONS[action])
            return _saved(user_id, "compte-" + action, "file-account")
        except (IMSError, ServiceError) as exc:
            if isinstance(exc, IMSError) and exc.http_status == 404:
                raise
            error = message_of(exc)
    return render_template("web/interpreter_account.html", p=profile, action=action, error=error), \
        (400 if error else 200)


def file_unavailable_reason(reason) -> str:
    """Why the interpreter gets no offers, said to the coordinator (the interpreter's own page says
    "your account")."""
    from gateway.web.views_account import unavailable_reason
    code = reason.get("code") if isinstance(reason, dict) else reason
    return _("compte désactivé") if code == "account_inactive" else unavailable_reason(reason)


@web.app_context_processor
def _file_helpers():
    return {"pair_key": pair_key, "file_unavailable_reason": file_unavailable_reason}
