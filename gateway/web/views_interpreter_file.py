"""One interpreter's file for the coordinators (issue 15, item 3): the profile auth keeps (contact,
languages, region, request types, availability, documents), the bookings they hold (booking's lists,
90 days back and ahead) and what the last pay periods pay them (payroll's statements). What the bank
owns in it is edited from this page (views_interpreter_edit.py); the rest is changed where its owner's
page is."""
from __future__ import annotations

from datetime import timedelta

from flask import render_template, request

from gateway.rpc import ServiceError
from gateway.web import current_actor, login_required, page_lang, rpc, web
from gateway.web.views_bookings import STAFF, fetch_all, today
from ims_common.errors import IMSError
from services.reference.contract import vocabulary as RV


def _or_none(service: str, method: str, *args):
    try:
        return rpc(service, method, *args)
    except (IMSError, ServiceError):
        return None


def reference_options(kind: str, value_field: str = "code") -> list[tuple[str, str]]:
    """(value, name in the page's language) of the reference data's active items of `kind`, by name;
    empty when reference data does not answer (the form then says so)."""
    found = _or_none("reference", "list_items", current_actor(), kind, {"per_page": 1000, "sort": "label"})
    return [(i.get(value_field) or i["code"], RV.label(i, page_lang())) for i in (found or {}).get("items") or []]


def render_file(user_id: str, status: int = 200, section: str | None = None, errors: dict | None = None,
                error: str | None = None):
    """The file page; after a refused change, `section` is the form that was refused, shown again
    with what was typed (`request.form`) and each message beside its field."""
    actor = current_actor()
    profile = rpc("auth", "get_profile", actor, user_id)      # 404 page for an unknown person
    window = {"date_from": (today() - timedelta(days=90)).isoformat(),
              "date_to": (today() + timedelta(days=90)).isoformat()}
    bookings = [b for b in fetch_all(actor, window) if b.get("assigned_interpreter_id") == user_id]
    periods = (_or_none("payroll", "list_periods", actor) or [])[:3]
    pay = [(p, _or_none("payroll", "statement", actor, p["id"], user_id)) for p in periods]
    establishments = reference_options(RV.ESTABLISHMENT)
    return render_template(
        "web/interpreter_file.html", p=profile, bookings=bookings, pay=pay,
        languages=reference_options(RV.LANGUAGE, "label_fr"), establishments=establishments,
        establishment_names=dict(establishments), section=section, errors=errors or {}, error=error,
        form=request.form if section else {}, done=request.args.get("fait")), status


@web.route("/interpretes/<user_id:user_id>")
@login_required(*STAFF)
def interpreter_file_page(user_id: str):
    return render_file(user_id)
