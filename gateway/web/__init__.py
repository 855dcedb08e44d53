"""The web pages: server-rendered Jinja pages for interpreters, requesters and coordinators.

A blueprint of its own beside the JSON API. The pages call the services through the same
ServiceClient as the API (never HTTP to the gateway itself). Security of pages:
- the access token lives in an HttpOnly, SameSite=Lax cookie, Secure unless the page is served over
  plain http on a loopback address (local use);
- every POST carries a CSRF token: an HMAC of a random per-browser nonce (itself in an HttpOnly cookie)
  under a key derived from the JWT signing key (signed double submit);
- pages get a CSP allowing only this origin's static files (the API keeps its deny-all CSP);
- every booking is read through the booking service with the viewer's actor, so a booking the viewer
  may not see is a 404 page, never its data.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import Babel, gettext as _

from gateway.errors import ApiError
from gateway.rpc import ServiceError
from gateway.security import actor_from_claims, verified_claims
from ims_common import config
from ims_common.errors import IMSError
from ims_common.messages import is_known, translate
from ims_common.money import format_money
from services.booking.contract import vocabulary
from services.payroll.contract import vocabulary as pay_vocabulary

web = Blueprint("web", __name__)

SESSION_COOKIE = "ims_session"
REFRESH_COOKIE = "ims_refresh"
CSRF_COOKIE = "ims_csrf"
LANG_COOKIE = "ims_lang"
LANGS = ("fr", "en")
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
UPLOAD_LIMIT = 15 * 1024 * 1024
BANK_EMAIL = "biq@ssss.gouv.qc.ca"


def init_web(app: Flask) -> None:
    """Registers the pages on the app (gateway/app.py calls this once)."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "fr")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=page_lang)
    from gateway.web import (views_account, views_bookings, views_commands, views_coordinator,  # noqa: F401
                            views_interpreter_edit, views_interpreter_file, views_interpreter_new,  # noqa: F401
                            views_list, views_pay,  # noqa: F401
                            views_periods, views_reference, views_validation, ical, session_limits,  # noqa: F401
                            reference_labels)  # noqa: F401
    app.register_blueprint(web)


# ---- language -------------------------------------------------------------------------------------

def page_lang() -> str:
    """An explicit choice made in this browser (the switch) wins, else the token's `lang`, else French."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGS:
        return chosen
    actor = g.get("page_actor")
    if actor and actor.get("lang") in LANGS:
        return actor["lang"]
    return "fr"


# ---- session --------------------------------------------------------------------------------------

def cookie_secure() -> bool:
    """Secure by default; relaxed only for plain http on a loopback address (local use)."""
    if request.is_secure:
        return True
    host = (request.host or "").rsplit(":", 1)[0].strip("[]")
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host != "localhost"


def set_cookie(resp, name: str, value: str, max_age: int | None = None) -> None:
    resp.set_cookie(name, value, max_age=max_age, httponly=True, secure=cookie_secure(), samesite="Lax",
                    path="/")


def _actor_of(token: str) -> dict | None:
    """The person of a session cookie's access token; None when it is expired, bad or revoked
    (signed out, deactivated…: gateway/revocations.py). 503 while revocations cannot be checked."""
    if not token or len(token) > 8192:
        return None
    try:
        claims = verified_claims(token)
        actor = actor_from_claims(claims)
    except ApiError as exc:
        if exc.http_status == 503:
            raise
        return None
    actor["must_change_password"] = bool(claims.get("mcp"))
    from gateway.web.session_limits import remember
    remember(claims)
    return actor


def current_actor() -> dict | None:
    """The signed-in person: the access token of the session cookie, renewed through the refresh token
    (its own HttpOnly cookie) when it has expired, if auth offers refresh."""
    if "page_actor" not in g:
        g.page_actor = _actor_of(request.cookies.get(SESSION_COOKIE, ""))
        refresh = request.cookies.get(REFRESH_COOKIE, "")
        if g.page_actor is None and refresh and len(refresh) <= 512:
            try:
                result = rpc("auth", "refresh", refresh)
            except Exception:  # refused, revoked or not offered: signed out
                g.drop_session = True
            else:
                g.new_session = result
                g.page_actor = _actor_of(result.get("access_token", ""))
    return g.page_actor


def store_session(resp, result: dict) -> None:
    set_cookie(resp, SESSION_COOKIE, result["access_token"], max_age=int(result.get("expires_in") or 900))
    if result.get("refresh_token"):
        set_cookie(resp, REFRESH_COOKIE, result["refresh_token"],
                   max_age=int(result.get("refresh_expires_in") or 8 * 3600))


def login_required(*roles: str):
    def decorator(view):
        import functools

        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            actor = current_actor()
            if actor is None:
                return redirect(url_for("web.login", next=request.full_path if request.method == "GET" else None))
            if actor.get("must_change_password") and request.endpoint != "web.change_password":
                return redirect(url_for("web.change_password"))
            if roles and actor["role"] not in roles:
                abort(404)  # a page the viewer may not use does not exist for them
            return view(*args, **kwargs)
        return wrapper
    return decorator


def rpc(service: str, method: str, *args):
    from gateway.api import services
    return services().call(service, method, *args)


# ---- CSRF -----------------------------------------------------------------------------------------

def _csrf_key() -> bytes:
    return hashlib.sha256(b"ims-web-csrf:" + config.jwt_keys()[0][1].encode()).digest()


def _nonce() -> str:
    if "csrf_nonce" not in g:
        given = request.cookies.get(CSRF_COOKIE, "")
        g.csrf_nonce = given if 20 <= len(given) <= 100 else secrets.token_urlsafe(32)
    return g.csrf_nonce


def csrf_token() -> str:
    return hmac.new(_csrf_key(), _nonce().encode(), hashlib.sha256).hexdigest()


def _check_csrf() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS") or request.endpoint == "web.ical_feed":
        return
    given = request.form.get("csrf_token", "")
    nonce = request.cookies.get(CSRF_COOKIE, "")
    expected = hmac.new(_csrf_key(), nonce.encode(), hashlib.sha256).hexdigest()
    if not nonce or not hmac.compare_digest(given, expected):
        abort(400, description="csrf")


@web.before_request
def _before():
    if request.endpoint in ("web.booking_attachment", "web.profile_document"):
        request.max_content_length = UPLOAD_LIMIT
    current_actor()
    _check_csrf()


@web.after_request
def _after(resp):
    resp.headers["Content-Security-Policy"] = PAGE_CSP
    resp.headers["Permissions-Policy"] = "camera=(self), geolocation=(), microphone=()"
    if g.get("new_session"):
        store_session(resp, g.new_session)
    elif g.get("drop_session"):
        resp.delete_cookie(SESSION_COOKIE, path="/")
        resp.delete_cookie(REFRESH_COOKIE, path="/")
    if request.cookies.get(CSRF_COOKIE) != _nonce():
        set_cookie(resp, CSRF_COOKIE, _nonce())
    return resp


@web.app_context_processor
def _globals():
    return {"csrf_token": csrf_token, "me": g.get("page_actor"), "lang": page_lang(),
            "BANK_EMAIL": BANK_EMAIL, "status_label": status_label, "mode_label": mode_label,
            "local_dt": local_dt, "money": money, "pay_label": pay_label, "km": km, "url_error": url_error,
            "role_label": role_label, "person_label": person_label, "flag_label": flag_label}


# ---- errors as pages ------------------------------------------------------------------------------

def error_page(status: int, message: str):
    return render_template("web/error.html", status=status, message=message), status


@web.errorhandler(404)
def _not_found(_exc):
    return error_page(404, _("Introuvable : cette page n'existe pas ou vous n'y avez pas accès."))


@web.errorhandler(400)
def _bad(_exc):
    return error_page(400, _("La page a expiré ou la demande est invalide. Rechargez la page et réessayez."))


@web.errorhandler(413)
def _too_large(_exc):
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return error_page(413, _("Le fichier est trop volumineux : %(max)s Mo au plus. Revenez en arrière et "
                             "choisissez un fichier plus petit.", max=limit // 2**20))


@web.errorhandler(IMSError)
def _ims_error(exc):
    if getattr(exc, "http_status", 500) == 404:
        return _not_found(exc)
    if getattr(exc, "http_status", 500) == 401:
        return redirect(url_for("web.login"))
    return error_page(exc.http_status, translate(exc.code, page_lang(), getattr(exc, "params", None)))


@web.errorhandler(ServiceError)
def _service_error(exc):
    return error_page(exc.http_status, _("Le service est momentanément indisponible. Réessayez dans un instant."))


@web.errorhandler(ApiError)
def _api_error(exc):
    return error_page(exc.http_status, translate(exc.code, page_lang(), exc.params))


def message_of(exc) -> str:
    if isinstance(exc, ServiceError):
        return _("Le service est momentanément indisponible. Réessayez dans un instant.")
    if getattr(exc, "fields", None):
        # The API's text names the fields by their codes; a page says what is wrong in words (each
        # message also stands beside its field where the page has one).
        said = list(dict.fromkeys(m for messages in field_errors(exc).values() for m in messages))
        return _("Certains champs sont à corriger : %(what)s", what=" ".join(said))
    return translate(getattr(exc, "code", "error"), page_lang(), getattr(exc, "params", None))


def error_code(exc) -> str:
    """What an address may carry of an error after a redirect: its code, never its text."""
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) and is_known(code) else "error.unknown"


def url_error() -> str | None:
    """The message of the address's `erreur`: said by the system for one of its codes (without params:
    the plain text), nothing for anything else, so a link cannot put words in the system's mouth."""
    code = request.args.get("erreur")
    return translate(code, page_lang()) if isinstance(code, str) and is_known(code) else None


def field_errors(exc) -> dict:
    out = {}
    for name, codes in (getattr(exc, "fields", None) or {}).items():
        out[name] = [translate(c, page_lang()) if isinstance(c, str) else str(c) for c in codes] \
            if isinstance(codes, list) else [str(codes)]
    return out


# ---- display helpers ------------------------------------------------------------------------------

def status_label(status: str) -> str:
    return vocabulary.status_label(status, page_lang()) or (status or "")


def mode_label(mode: str) -> str:
    return vocabulary.mode_label(mode, page_lang()) or (mode or "")


def role_label(role: str | None) -> str:
    from services.auth.contract.vocabulary import role_label as label
    return label(role, page_lang()) or (role or "")


def person_label(who) -> str:
    """Who did something ({user_id, role, name} or an id), in words: their name, else their role."""
    if isinstance(who, dict):
        return who.get("name") or role_label(who.get("role")) or str(who.get("user_id") or "")
    return "" if who is None else str(who)


def parse_utc(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def local_dt(value: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    from zoneinfo import ZoneInfo
    moment = parse_utc(value)
    return moment.astimezone(ZoneInfo("America/Montreal")).strftime(fmt) if moment else ""


def money(amount) -> str:
    """'82.00' -> '82,00 $' in French, '$82.00' in English (amounts arrive as decimal strings)."""
    return format_money(amount, page_lang())


def pay_label(key: str, table: str | None = None) -> str:
    """A remuneration line's label, or with table="kind" an amount's state, "rate" a rate's name,
    "origin" where a distance was measured from."""
    tables = {"kind": pay_vocabulary.KIND_LABELS, "rate": pay_vocabulary.RATE_LABELS,
              "origin": pay_vocabulary.ORIGIN_LABELS}
    return pay_vocabulary.label(key, page_lang(), tables.get(table or ""))


def flag_label(flag: str) -> str:
    """What a remuneration's flag asks a coordinator to check, in the page's language."""
    return pay_vocabulary.flag_label(flag, page_lang())


def km(value) -> str:
    """'62.5' -> '62,5 km' in French, '62.5 km' in English (distances arrive as decimal strings)."""
    try:
        text = format(Decimal(str(value)).normalize(), "f")
    except InvalidOperation:
        return str(value)
    return f"{text.replace('.', ',') if page_lang() == 'fr' else text}\u00a0km"
