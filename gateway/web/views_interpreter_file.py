"""One interpreter's file for the coordinators (issue 15, item 3): the profile auth keeps (contact,
languages, region, request types, availability, documents), the bookings they hold (booking's lists,
90 days back and ahead) and what the last pay periods pay them (payroll's statements). Read only:
each part is changed where its owner's page is."""
from __future__ import annotations

from datetime import timedelta

from flask import render_template

from gateway.rpc import ServiceError
from gateway.web import current_actor, login_required, rpc, web
from gateway.web.views_bookings import STAFF, fetch_all, today
from ims_common.errors import IMSError


def _or_none(service: str, method: str, *args):
    try:
        return rpc(service, method, *args)
    except (IMSError, ServiceError):
        return None


@web.route("/interpretes/<user_id:user_id>")
@login_required(*STAFF)
def interpreter_file_page(user_id: str):
    actor = current_actor()
    profile = rpc("auth", "get_profile", actor, user_id)      # 404 page for an unknown person
    window = {"date_from": (today() - timedelta(days=90)).isoformat(),
              "date_to": (today() + timedelta(days=90)).isoformat()}
    bookings = [b for b in fetch_all(actor, window) if b.get("assigned_interpreter_id") == user_id]
    periods = (_or_none("payroll", "list_periods", actor) or [])[:3]
    pay = [(p, _or_none("payroll", "statement", actor, p["id"], user_id)) for p in periods]
    return render_template("web/interpreter_file.html", p=profile, bookings=bookings, pay=pay)
