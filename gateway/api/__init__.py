"""The JSON API under /api/v1: one blueprint, routes split by resource."""
from __future__ import annotations

from flask import Blueprint, current_app
from werkzeug.routing import BaseConverter

from gateway.openapi import register_converter_pattern
from gateway.schemas.bookings import BOOKING_ID, USER_ID

api = Blueprint("api", __name__, url_prefix="/api/v1")


def _converter(name: str, pattern: str) -> type[BaseConverter]:
    # A path value of the wrong shape is a 404 from routing: it never reaches a service.
    register_converter_pattern(name, pattern)
    return type(f"{name.title()}Converter", (BaseConverter,), {"regex": pattern})


CONVERTERS = {
    "booking_id": _converter("booking_id", BOOKING_ID),
    "user_id": _converter("user_id", USER_ID),
    "attachment_id": _converter("attachment_id", r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"),
}


def services():
    """The ServiceClient of the app (gateway/rpc.py)."""
    return current_app.extensions["ims_rpc"]


from gateway.api import (  # noqa: E402,F401  (they add their routes to `api`)
    accounts, auth, auth_security, bookings, events, matching, notifications, payroll, profiles, reference, webhooks,
)
