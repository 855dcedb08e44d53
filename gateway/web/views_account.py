"""Everyone: sign in (with the MFA step when auth asks for it), sign out, language, forgotten and
changed password, profile with notification switches, availability and inactivity periods."""
from __future__ import annotations

import uuid

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.rpc import ServiceError
from gateway.web import (LANG_COOKIE, LANGS, SESSION_COOKIE, current_actor, field_errors, login_required,
                         message_of, rpc, set_cookie, web)
from ims_common.errors import IMSError

NOT_YET = "not_yet"


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("web.home")


def _unavailable(exc) -> bool:
    # The auth service answers "method not found" (502) while that feature is not deployed yet.
    return isinstance(exc, ServiceError) and exc.code == "service.error"


def _signed_in(result: dict, next_url: str):
    resp = redirect(_safe_next(next_url))
    set_cookie(resp, SESSION_COOKIE, result["access_token"], max_age=int(result.get("expires_in") or 3600))
    return resp


@web.route("/")
def index():
    return redirect(url_for("web.home") if current_actor() else url_for("web.login"))


@web.route("/connexion", methods=["GET", "POST"])
def login():
    error = None
    next_url = request.values.get("next", "")
    if request.method == "POST":
        identifier = request.form.get("identifier", "").strip()
        password = request.form.get("password", "")
        try:
            result = rpc("auth", "login", identifier, password, request.remote_addr or "")
        except (IMSError, ServiceError) as exc:
            error = message_of(exc)
        else:
            if result.get("mfa_required"):
                resp = redirect(url_for("web.login_mfa", next=next_url))
                set_cookie(resp, "ims_mfa", str(result.get("mfa_token") or ""), max_age=600)
                return resp
            return _signed_in(result, next_url)
    return render_template("web/login.html", error=error, next=next_url), (400 if error else 200)


@web.route("/connexion/code", methods=["GET", "POST"])
def login_mfa():
    error = None
    next_url = request.values.get("next", "")
    mfa_token = request.cookies.get("ims_mfa", "")
    if request.method == "POST":
        try:
            result = rpc("auth", "verify_mfa", mfa_token, request.form.get("code", "").strip(),
                         request.remote_addr or "")
        except (IMSError, ServiceError) as exc:
            error = message_of(exc)
        else:
            resp = _signed_in(result, next_url)
            resp.delete_cookie("ims_mfa", path="/")
            return resp
    return render_template("web/mfa.html", error=error, next=next_url)


@web.post("/deconnexion")
def logout():
    resp = redirect(url_for("web.login"))
    resp.delete_cookie(SESSION_COOKIE, path="/")
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
            rpc("auth", "request_password_reset", request.form.get("identifier", "").strip(),
                request.remote_addr or "")
            state = "sent"
        except ServiceError as exc:
            state = NOT_YET if _unavailable(exc) else "error"
        except IMSError:
            state = "sent"  # same answer whether or not the account exists
    return render_template("web/forgot.html", state=state)


@web.route("/mot-de-passe", methods=["GET", "POST"])
@login_required()
def change_password():
    error = done = None
    if request.method == "POST":
        new, again = request.form.get("new_password", ""), request.form.get("new_password_again", "")
        if new != again:
            error = _("Les deux nouveaux mots de passe ne sont pas identiques.")
        else:
            try:
                rpc("auth", "change_password", current_actor(), request.form.get("current_password", ""), new)
                done = True
            except ServiceError as exc:
                error = _("Cette fonction n'est pas encore offerte ici : communiquez avec la BI.") \
                    if _unavailable(exc) else message_of(exc)
            except IMSError as exc:
                error = message_of(exc)
    return render_template("web/password.html", error=error, done=done)


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
    errors, error, saved = {}, None, False
    if request.method == "POST":
        section = request.form.get("section")
        patch: dict = {}
        if section == "contact":
            for key in ("email", "mobile", "phone"):
                if key in request.form:
                    patch[key] = request.form.get(key, "").strip()
            if request.form.get("display_language") in LANGS:
                patch["display_language"] = request.form["display_language"]
        elif section == "notifications":
            patch["notifications"] = {"sms_disabled": request.form.get("sms") != "on",
                                      "email_disabled": request.form.get("email") != "on"}
        elif section == "availability":
            always = request.form.get("always") == "on"
            slots = []
            for day in range(7):
                start, end = request.form.get(f"start_{day}", ""), request.form.get(f"end_{day}", "")
                if start and end:
                    slots.append({"weekday": day, "start": start, "end": end})
            patch["availability"] = {"always": always, "slots": slots}
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
        try:
            rpc("auth", "update_profile", actor, actor["user_id"], patch)
            return redirect(url_for("web.profile", saved=1))
        except (IMSError, ServiceError) as exc:
            error, errors = message_of(exc), field_errors(exc)
    data, limited = _profile()
    return render_template("web/profile.html", p=data, limited=limited, error=error, errors=errors,
                           saved=request.args.get("saved") == "1", weekdays=weekday_names())


def weekday_names() -> list[str]:
    return [_("Lundi"), _("Mardi"), _("Mercredi"), _("Jeudi"), _("Vendredi"), _("Samedi"), _("Dimanche")]
