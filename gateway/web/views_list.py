"""The bookings page: the deck's views ("Demandes en cours", "Après la réservation", "Rémunération",
"Calendrier") and "Définir comme valeur par défaut", kept in the person's profile (auth), so the page
opens on their choice on any device. Each list view shows cards (phones) or the deck's dense table
(wide screens), or the one the person picked.

What matters now comes first: "en-cours" runs from today on, soonest first; the past is one click
away, latest first (booking's order=desc), so a new request never hides behind an establishment's
history."""
from __future__ import annotations

from datetime import timedelta

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.contract import views as V
from gateway.rpc import ServiceError
from gateway.web import current_actor, error_code, field_errors, login_required, message_of, page_lang, rpc, web
from gateway.web.reference_labels import reference_items
from gateway.web.views_bookings import STAFF, _valid_day, presets, today
from ims_common.errors import IMSError
from services.booking.contract.vocabulary import STATUSES
from services.reference.contract import vocabulary as RV

PER_PAGE = 50
PAY_PER_PAGE = 25                  # one payroll read per row
DONE = ("service_provided", "closed", "cancelled")   # what a remuneration can exist for


def view_titles() -> dict[str, str]:
    return {"en-cours": _("Demandes en cours"), "apres": _("Après la réservation"),
            "remuneration": _("Rémunération"), V.CALENDAR: _("Calendrier")}


def views_for(actor: dict) -> tuple[str, ...]:
    """Requesters have no pay to see; everyone else has every view."""
    return tuple(v for v in V.LIST_VIEWS if v != "remuneration" or actor["role"] != "requester")


def stored_view(actor: dict) -> str | None:
    """The person's default view from their profile; None when auth cannot say (the page still opens)."""
    try:
        return (rpc("auth", "get_profile", actor, actor["user_id"]) or {}).get("list_view")
    except (IMSError, ServiceError):
        return None


def chosen_view(actor: dict) -> tuple[str, str | None, tuple[str, str | None]]:
    """(view, display, the person's default): the view in the address, else their default."""
    default = V.parse(stored_view(actor))
    if default[0] not in (*views_for(actor), V.CALENDAR):
        default = (V.DEFAULT, None)
    asked = request.args.get("vue")
    if asked in (*views_for(actor), V.CALENDAR):
        display = request.args.get("affichage")
        return asked, display if display in V.DISPLAYS else None, default
    return default[0], default[1], default


def list_query(view: str, args) -> tuple[dict, dict]:
    """(query for booking.list_bookings, the filters as the form shows them). The view sets the range
    and order; dates typed in the filters replace the range."""
    statuses = [s for s in args.getlist("status") if s in STATUSES]
    date_from, date_to = _valid_day(args.get("date_from")), _valid_day(args.get("date_to"))
    query: dict = {}
    if view == "en-cours":
        query = {"date_from": date_from or today().isoformat(), "order": "asc"}
    else:
        query = {"date_to": date_to or (today() - timedelta(days=1 if view == "apres" else 0)).isoformat(),
                 "order": "desc"}
        statuses = statuses or (list(DONE) if view == "remuneration" else [])
    if date_from:
        query["date_from"] = date_from
    if date_to:
        query["date_to"] = date_to
    if statuses:
        query["status"] = statuses
    return query, {"status": statuses, "date_from": date_from or "", "date_to": date_to or ""}


def establishment_names(actor: dict, items: list[dict]) -> dict[str, str]:
    """Code -> name of the establishments on the page, from the reference data (the code when it
    does not answer)."""
    return reference_names(actor, RV.ESTABLISHMENT, items, "establishment")


def facility_names(actor: dict, items: list[dict]) -> dict[str, str]:
    """Code -> name of the facilities on the page (bookings keep a facility by its code)."""
    return reference_names(actor, RV.FACILITY, items, "facility")


def reference_names(actor: dict, kind: str, items: list[dict], field: str) -> dict[str, str]:
    if not any(b.get(field) for b in items):
        return {}
    return {item["code"]: RV.label(item, page_lang()) for item in reference_items(kind)}


def pay_of(actor: dict, items: list[dict]) -> dict[str, dict]:
    """Booking id -> the assigned interpreter's remuneration item (total, kind) for the pay view."""
    out = {}
    for b in items:
        if b.get("status") not in DONE:
            continue
        try:
            rem = rpc("payroll", "get_remuneration", actor, b["id"])
        except (IMSError, ServiceError):
            continue
        if rem.get("items"):
            out[b["id"]] = rem["items"][0]
    return out


@web.route("/reservations")
@login_required()
def home():
    actor = current_actor()
    view, display, default = chosen_view(actor)
    if view == V.CALENDAR:
        return redirect(url_for("web.calendar_view"))
    query, filters = list_query(view, request.args)
    per_page = PAY_PER_PAGE if view == "remuneration" else PER_PAGE
    page = max(1, min(10**5, request.args.get("page", 1, type=int) or 1))
    error, errors = None, {}
    try:
        result = rpc("booking", "list_bookings", actor, dict(query, page=page, per_page=per_page))
    except IMSError as exc:
        if exc.http_status >= 500:
            raise
        error, errors = message_of(exc), field_errors(exc)
        result = {"items": [], "total": 0, "page": page, "per_page": per_page}
    items = result["items"]
    here = {k: v for k, v in {"vue": view, "affichage": display, **filters}.items() if v}
    return render_template(
        "web/list.html", result=result, items=items, view=view, display=display, views=views_for(actor),
        titles=view_titles(), here=here, statuses=STATUSES, chosen=filters["status"],
        date_from=filters["date_from"], date_to=filters["date_to"], presets=presets(), page=page,
        names=establishment_names(actor, items), facilities=facility_names(actor, items),
        pay=pay_of(actor, items) if view == "remuneration" else {},
        saved=request.args.get("defaut") == "1", error=error, errors=errors,
        is_default=default == (view, display),
        show_pay=view == "remuneration" and actor["role"] in ("interpreter", *STAFF)), (400 if error else 200)


@web.post("/reservations/vue-par-defaut")
@login_required()
def set_default_view():
    """The deck's "Définir comme valeur par défaut": the view (and display) shown becomes the one
    this person's bookings page opens on."""
    actor = current_actor()
    view, display = request.form.get("vue", ""), request.form.get("affichage", "")
    choice = f"{view}/{display}" if display in V.DISPLAYS and view in V.LIST_VIEWS else view
    if choice not in V.CHOICES or (view not in views_for(actor) and view != V.CALENDAR):
        return redirect(url_for("web.home"))
    try:
        rpc("auth", "update_profile", actor, actor["user_id"], {"list_view": choice})
    except (IMSError, ServiceError) as exc:
        target = "web.calendar_view" if view == V.CALENDAR else "web.home"
        return redirect(url_for(target, vue=view, affichage=display or None, erreur=error_code(exc)))
    if view == V.CALENDAR:
        return redirect(url_for("web.calendar_view", defaut=1))
    return redirect(url_for("web.home", vue=view, affichage=display or None, defaut=1))


def duration_label(minutes) -> str:
    """90 -> '1 h 30', 60 -> '1 h', 45 -> '45 min' (the deck's "1 hr")."""
    if not isinstance(minutes, int) or minutes <= 0:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


@web.app_context_processor
def _list_helpers():
    return {"duration_label": duration_label}
