"""Everyone: sign in (with the MFA step when auth asks for it), sign out, language, forgotten and
changed password, profile with notification switches, availability and inactivity periods."""
from __future__ import annotations

import base64
import io
import re
import uuid

from flask import g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from gateway.rpc import ServiceError
from gateway.web import profile_form
from gateway.web.redirects import same_site_path
from gateway.web.views_list import establishment_names
from gateway.web import (LANG_COOKIE, LANGS, REFRESH_COOKIE, SESSION_COOKIE, current_actor, field_errors,
                         login_required, message_of, page_lang, rpc, set_cookie, store_session, web)
from ims_common import files
from ims_common.errors import IMSError
from ims_common.messages import translate

NOT_YET = "not_yet"
MFA_COOKIE = "ims_mfa"


def _safe_next(target: str | None) -> str:
    return same_site_path(target, url_for("web.home"))


def _next_param() -> str:
    """The `next` of the request when it is a path of this site, else "" (passed on to the next page)."""
    return same_site_path(request.values.get("next"), "")


def _unavailable(exc) -> bool:
    # The auth service answers "method not found" (502) while that feature is not deployed yet.
    return isinstance(exc, ServiceError) and exc.code == "service.error"


def _signed_in(result: dict, next_url: str):
    """Cookies for a new session, then: the forced password change, else the offer to set up MFA
    (the deck's first sign-in), else where the person was going."""
    if result.get("password_change_required"):
        target = url_for("web.change_password", premiere=1)
    elif result.get("mfa_setup_offered"):
        target = url_for("web.mfa_setup", next=_safe_next(next_url))
    else:
        target = _safe_next(next_url)
    resp = redirect(target)
    store_session(resp, result)
    resp.delete_cookie(MFA_COOKIE, path="/")
    return resp


@web.route("/")
def index():
    return redirect(url_for("web.home") if current_actor() else url_for("web.login"))


@web.route("/connexion", methods=["GET", "POST"])
def login():
    error = None
    next_url = _next_param()
    if request.method == "POST":
        identifier = request.form.get("identifier", "").strip()
        password = request.form.get("password", "")
        try:
            result = rpc("auth", "login", identifier, password, request.remote_addr or "")
        except (IMSError, ServiceError) as exc:
            error = message_of(exc)
        else:
            if result.get("mfa_required"):
                channels = [c for c in result.get("channels") or [] if c in CHANNELS]
                resp = redirect(url_for("web.login_mfa", next=next_url, canaux=",".join(channels)))
                set_cookie(resp, MFA_COOKIE, str(result.get("mfa_token") or ""),
                           max_age=int(result.get("expires_in") or 600))
                return resp
            return _signed_in(result, next_url)
    return render_template("web/login.html", error=error, next=next_url), (400 if error else 200)


CHANNELS = ("sms", "email", "totp", "recovery")


@web.route("/connexion/code", methods=["GET", "POST"])
def login_mfa():
    """Second factor: send a code by text or email (or use the authenticator app or a recovery code),
    then type it."""
    error = sent = None
    next_url = _next_param()
    channels = [c for c in request.values.get("canaux", "sms,email").split(",") if c in CHANNELS]
    mfa_token = request.cookies.get(MFA_COOKIE, "")
    if not mfa_token:
        return redirect(url_for("web.login", next=next_url))
    if request.method == "POST":
        channel = request.form.get("channel") if request.form.get("channel") in CHANNELS else None
        try:
            if request.form.get("action") == "send":
                rpc("auth", "mfa_send", mfa_token, channel)
                sent = channel
            else:
                result = rpc("auth", "mfa_verify", mfa_token, request.form.get("code", "").strip(), channel)
                return _signed_in(result, next_url)
        except (IMSError, ServiceError) as exc:
            error = message_of(exc)
    return render_template("web/mfa.html", error=error, next=next_url, channels=channels, sent=sent,
                           canaux=",".join(channels))


@web.route("/securite/double-authentification", methods=["GET", "POST"])
@login_required()
def mfa_setup():
    """The offer after sign-in: set up the second factor now (first code by SMS) or later (24 h)."""
    actor = current_actor()
    next_url = _safe_next(request.values.get("next"))
    error, step, codes = None, "offer", None
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "later":
                rpc("auth", "mfa_setup", actor, "later", None)
                return redirect(next_url)
            if action == "now":
                rpc("auth", "mfa_setup", actor, "now", request.form.get("mobile", "").strip() or None,
                    request.form.get("current_password") or None)   # step-up beyond a fresh sign-in
                step = "code"
            elif action == "confirm":
                step = "code"
                codes = rpc("auth", "mfa_confirm", actor, request.form.get("code", "").strip()).get("recovery_codes")
                step = "done"
        except (IMSError, ServiceError) as exc:
            error = message_of(exc)
    return render_template("web/mfa_setup.html", error=error, step=step, codes=codes, next=next_url)


@web.post("/deconnexion")
def logout():
    refresh = request.cookies.get(REFRESH_COOKIE, "")
    actor = current_actor()
    if refresh or actor:
        try:   # the session ends at auth: its cookies are worthless from now on, even replayed
            rpc("auth", "logout", refresh, {"user_id": actor["user_id"], "session_id": actor.get("session_id")}
                if actor else None)
        except (IMSError, ServiceError):
            pass
    resp = redirect(url_for("web.login"))
    for name in (SESSION_COOKIE, REFRESH_COOKIE, MFA_COOKIE):
        resp.delete_cookie(name, path="/")
    resp.headers["Clear-Site-Data"] = '"cache", "storage"'   # drafts too (web.js also clears them)
    g.new_session = None
    return resp


@web.post("/langue")
def set_language():
    lang = request.form.get("lang")
    resp = redirect(_safe_next(request.form.get("next")))
    if lang in LANGS:
        set_cookie(resp, LANG_COOKIE, lang, max_age=365 * 86400)
    return resp


@web.route("/mot-de-passe-oublie", methods=["GET", "POST"])
def forgot_password():
    state = None
    if request.method == "POST":
        try:
            rpc("auth", "forgot_password", request.form.get("email", "").strip(), request.remote_addr or "")
            state = "sent"
        except ServiceError as exc:
            state = NOT_YET if _unavailable(exc) else "error"
        except IMSError as exc:
            state = "sent" if exc.http_status in (401, 404) else "error"  # same answer, account or not
    return render_template("web/forgot.html", state=state)


@web.route("/reset-password", methods=["GET", "POST"])
def reset_password():
    """Where the emailed single-use link lands (auth builds it as <public url>/reset-password?token=…)."""
    token = request.values.get("token", "")[:512]
    error = done = None
    reasons: list[str] = []
    if request.method == "POST":
        try:
            rpc("auth", "reset_password", token, request.form.get("new_password", ""),
                request.form.get("new_password_again", ""))
            done = True
        except (IMSError, ServiceError) as exc:
            error, reasons = message_of(exc), _password_reasons(exc)
    return render_template("web/reset.html", token=token, error=error, reasons=reasons, done=done)


def _password_reasons(exc) -> list[str]:
    """Why the new password was refused (surrounding spaces, too short…), in the page's language."""
    return field_errors(exc).get("new_password", []) if isinstance(exc, IMSError) else []


@web.route("/mot-de-passe", methods=["GET", "POST"])
@login_required()
def change_password():
    error = done = None
    reasons: list[str] = []
    if request.method == "POST":
        new, again = request.form.get("new_password", ""), request.form.get("new_password_again", "")
        if new != again:
            error = _("Les deux nouveaux mots de passe ne sont pas identiques.")
        else:
            try:
                rpc("auth", "change_password", current_actor(), request.form.get("current_password", ""), new, again)
                done = True
            except ServiceError as exc:
                error = _("Cette fonction n'est pas encore offerte ici : communiquez avec la BI.") \
                    if _unavailable(exc) else message_of(exc)
            except IMSError as exc:
                error, reasons = message_of(exc), _password_reasons(exc)
        if done:  # every session ended with the change: sign in again with the new password
            resp = redirect(url_for("web.login", change=1))
            for name in (SESSION_COOKIE, REFRESH_COOKIE):
                resp.delete_cookie(name, path="/")
            return resp
    return render_template("web/password.html", error=error, reasons=reasons, done=done,
                           first=request.args.get("premiere") == "1")


def _profile():
    actor = current_actor()
    try:
        return rpc("auth", "get_profile", actor, actor["user_id"]), None
    except ServiceError as exc:
        if _unavailable(exc):
            return rpc("auth", "get_account", actor, actor["user_id"]), NOT_YET
        raise


@web.route("/profil", methods=["GET", "POST"])
@login_required()
def profile():
    actor = current_actor()
    if request.method == "POST":
        section = request.form.get("section")
        patch: dict = {}
        if section == "contact":
            for key in ("email", "mobile", "phone"):
                if key in request.form:
                    patch[key] = request.form.get(key, "").strip()
            if request.form.get("display_language") in LANGS:
                patch["display_language"] = request.form["display_language"]
        elif section == "personal":
            patch = profile_form.personal_patch(actor["role"] == "interpreter")
        elif section == "modes":
            patch = profile_form.modes_patch()
        elif section == "notifications":
            patch = profile_form.notifications_patch()
        elif section == "availability":
            patch = profile_form.availability_patch()
        elif section in ("add_inactivity", "remove_inactivity"):
            current, _x = _profile()
            periods = [p for p in current.get("inactivity_periods") or []
                       if p.get("id") != request.form.get("period_id")]
            if section == "add_inactivity":
                from gateway.web.views_bookings import local_to_utc
                periods.append({"id": uuid.uuid4().hex[:12],
                                "start": local_to_utc(request.form.get("start", "")),
                                "end": local_to_utc(request.form.get("end", "")),
                                "reason": request.form.get("reason", "").strip()})
            patch["inactivity_periods"] = periods
        shown = "inactivity" if section in ("add_inactivity", "remove_inactivity") else section
        try:
            rpc("auth", "update_profile", actor, actor["user_id"], patch, request.form.get("current_password") or None)
            return redirect(url_for("web.profile", saved=1) + f"#profile-{shown}")
        except (IMSError, ServiceError) as exc:
            return render_profile(error=message_of(exc), errors=field_errors(exc), refused=shown, status=400)
    return render_profile(saved=request.args.get("saved") == "1")


def render_profile(error=None, errors=None, refused: str | None = None, doc_form=None, status: int = 200,
                   saved: bool = False):
    """The profile page; after a refusal, the refused section shows what was typed (`request.form`)."""
    data, limited = _profile()
    return render_template("web/profile.html", p=data, limited=limited, error=error, errors=errors or {},
                           saved=saved, weekdays=weekday_names(), doc_form=doc_form or {}, refused=refused,
                           typed=request.form if refused else {}, f=profile_form,
                           warnings=[translate(code, page_lang()) for code in data.get("warnings") or []],
                           establishment_names=establishment_names(current_actor(),
                                                                   data.get("establishment_blocks") or []),
                           ), status


DOCUMENT_TYPES = files.PROFILE_FILE_TYPES
DOCUMENT_MAX_BYTES = files.UPLOAD_MAX_BYTES


def document_form(file_required: bool = True) -> tuple[dict, dict, bytes | None, str]:
    """(the document's fields, errors per field in the page's language, the file's bytes, its type).
    A coordinator may record a document without its scan (`file_required=False`)."""
    from datetime import date
    form = {k: request.form.get(k, "").strip() for k in ("doc_name", "doc_description", "doc_expires_on")}
    errors: dict[str, list[str]] = {}
    if not form["doc_name"]:
        errors["doc_name"] = [_("Ce champ est obligatoire.")]
    elif len(form["doc_name"]) > 200:
        errors["doc_name"] = [_("200 caractères au plus.")]
    if len(form["doc_description"]) > 2000:
        errors["doc_description"] = [_("2000 caractères au plus.")]
    if form["doc_expires_on"]:
        try:
            date.fromisoformat(form["doc_expires_on"])
        except ValueError:
            errors["doc_expires_on"] = [_("Date invalide (AAAA-MM-JJ).")]
    content, kind = _upload("doc_file", errors, file_required)
    return form, errors, content, kind


def _upload(key: str, errors: dict, required: bool = True) -> tuple[bytes | None, str]:
    """The uploaded file `key`'s bytes and type (PDF, JPEG or PNG by content, 10 MB), or an error."""
    upload = request.files.get(key)
    content, kind = None, ""
    if upload is None or not upload.filename:
        if required:
            errors[key] = [_("Choisissez un fichier.")]
    else:
        content = upload.read(DOCUMENT_MAX_BYTES + 1)
        kind = files.sniff(content, DOCUMENT_TYPES) or ""
        if len(content) > DOCUMENT_MAX_BYTES:
            errors[key] = [_("Le fichier dépasse 10 Mo.")]
        elif not kind:
            errors[key] = [_("Le fichier doit être un PDF, une image JPEG ou PNG.")]
    return content, kind


@web.post("/profil/documents")
@login_required("interpreter")
def profile_document():
    """An interpreter adds an eligibility document (work permit, certificate…): its name, description,
    expiry date, and the scanned file. The file goes to the profile's files first; the document then
    takes the file's id as its own, so the page links one to the other. If auth refuses the document,
    the file is removed again (nothing half-added)."""
    actor = current_actor()
    form, errors, content, kind = document_form()
    error = None
    if not errors:
        upload = request.files["doc_file"]
        try:
            profile = rpc("auth", "add_profile_file", actor, actor["user_id"], {
                "filename": upload.filename[:200], "content_type": kind,
                "content_base64": base64.b64encode(content).decode("ascii"),
                "description": form["doc_name"][:200]})
            file_id = (profile.get("files") or [{}])[-1].get("id")
            document = {"id": file_id, "name": form["doc_name"]}
            if form["doc_description"]:
                document["description"] = form["doc_description"]
            if form["doc_expires_on"]:
                document["expires_on"] = form["doc_expires_on"]
            documents = [d for d in profile.get("eligibility_documents") or []]
            try:
                rpc("auth", "update_profile", actor, actor["user_id"],
                    {"eligibility_documents": documents + [document]})
            except (IMSError, ServiceError):
                try:
                    rpc("auth", "delete_profile_file", actor, actor["user_id"], file_id)
                except (IMSError, ServiceError):
                    pass
                raise
            return redirect(url_for("web.profile", saved=1) + "#documents")
        except (IMSError, ServiceError) as exc:
            error = message_of(exc)
            for key, messages in field_errors(exc).items():
                name = {"filename": "doc_file", "content_base64": "doc_file", "content_type": "doc_file"}.get(
                    key, "doc_" + key.rsplit(".", 1)[-1] if key.startswith("eligibility_documents") else key)
                errors.setdefault(name, []).extend(messages)
    return render_profile(error=error or _("Vérifiez les champs indiqués."), errors=errors, doc_form=form,
                          status=400)


@web.post("/profil/pieces-jointes")
@login_required()
def profile_attachment():
    """A file of the person's own (a cheque specimen, a training certificate): its name, an optional
    description, and the file (PDF, JPEG or PNG, 10 MB)."""
    actor = current_actor()
    name = request.form.get("file_name", "").strip()
    description = request.form.get("file_description", "").strip()
    errors: dict[str, list[str]] = {}
    content, kind = _upload("file_content", errors)
    if len(name) > 200:
        errors["file_name"] = [_("200 caractères au plus.")]
    if not errors:
        fields = {"filename": request.files["file_content"].filename[:200], "content_type": kind,
                  "content_base64": base64.b64encode(content or b"").decode("ascii")}
        fields.update({k: val for k, val in (("name", name), ("description", description)) if val})
        try:
            rpc("auth", "add_profile_file", actor, actor["user_id"], fields)
            return redirect(url_for("web.profile", saved=1) + "#profile-files")
        except (IMSError, ServiceError) as exc:
            for key, messages in field_errors(exc).items():
                errors.setdefault({"name": "file_name", "description": "file_description"}.get(key, "file_content"),
                                  []).extend(messages)
    return render_profile(error=_("Vérifiez les champs indiqués."), errors=errors, refused="files", status=400)


@web.post("/profil/pieces-jointes/retrait")
@login_required()
def profile_attachment_remove():
    """Removes one of the person's files, unless it is an eligibility document's scan (removed with it)."""
    actor = current_actor()
    file_id = request.form.get("file_id", "")
    profile, _x = _profile()
    documents = {d.get("id") for d in profile.get("eligibility_documents") or []}
    if file_id in documents or not any(f.get("id") == file_id for f in profile.get("files") or []):
        return render_profile(error=_("Ce fichier ne peut pas être retiré ici."), status=400)
    rpc("auth", "delete_profile_file", actor, actor["user_id"], file_id)
    return redirect(url_for("web.profile", saved=1) + "#profile-files")


@web.route("/profil/fichiers/<attachment_id:file_id>")
@login_required()
def profile_file(file_id: str):
    """One of the signed-in person's own profile files (auth checks it is theirs)."""
    return send_profile_file(current_actor(), current_actor()["user_id"], file_id)


def send_profile_file(actor: dict, user_id: str, file_id: str):
    """A profile file as a download; auth decides whether the actor may read it (own, or staff)."""
    result = rpc("auth", "get_profile_file", actor, user_id, file_id)
    meta = result.get("meta") or {}
    mimetype = meta.get("content_type") if meta.get("content_type") in DOCUMENT_TYPES else "application/octet-stream"
    name = re.sub(r'[\x00-\x1f\x7f/\\"]', "_", str(meta.get("filename") or file_id))[:200]
    return send_file(io.BytesIO(base64.b64decode(result["content_base64"])), mimetype=mimetype,
                     as_attachment=True, download_name=name, max_age=0)


def weekday_names() -> list[str]:
    return [_("Lundi"), _("Mardi"), _("Mercredi"), _("Jeudi"), _("Vendredi"), _("Samedi"), _("Dimanche")]


def unavailable_reason(reason) -> str:
    """Why the interpreter gets no offers ({code, name?, expires_on?} from auth), in words."""
    code = reason.get("code") if isinstance(reason, dict) else reason
    if code == "account_inactive":
        return _("votre compte est inactif")
    if code == "eligibility_document_expired":
        return _("le document « %(name)s » est expiré depuis le %(date)s", name=reason.get("name") or "",
                 date=reason.get("expires_on") or "")
    return _("raison à voir avec la BI")


@web.app_context_processor
def _account_helpers():
    return {"unavailable_reason": unavailable_reason}
