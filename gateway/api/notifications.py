"""The delivery log of the notification service: who was told what, when, by which channel, and whether
it went through (coordinators)."""
from __future__ import annotations

from flask import jsonify

from gateway.api import api, services
from gateway.openapi import documented
from gateway.schemas.notifications import DeliveryListSchema, DeliveryQuerySchema
from gateway.security import STAFF, require
from gateway.validation import load_query


@api.get("/bookings/<booking_id:booking_id>/deliveries")
@require(*STAFF)
@documented("Messages sent about a booking (coordinators)", "notifications", response=DeliveryListSchema)
def booking_deliveries(booking_id: str):
    return jsonify({"items": services().call("notification", "deliveries", {"booking_id": booking_id})})


@api.get("/notifications/deliveries")
@require(*STAFF)
@documented("The delivery log, e.g. status=failed (coordinators)", "notifications", query=DeliveryQuerySchema,
            response=DeliveryListSchema)
def list_deliveries():
    query = load_query(DeliveryQuerySchema())
    return jsonify({"items": services().call("notification", "deliveries", query)})
