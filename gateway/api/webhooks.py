"""Webhook subscriptions (services/webhooks): coordinators manage all; a system token with scope
webhooks:manage manages its own."""
from __future__ import annotations

from flask import jsonify

from gateway.api import api, services
from gateway.openapi import documented
from gateway.schemas.webhooks import (DeliveryListSchema, DeliveryQuerySchema, WebhookCreateSchema,
                                      WebhookListSchema, WebhookSchema)
from gateway.security import STAFF, actor
from gateway.system_auth import require_scope
from gateway.validation import load_body, load_query

SCOPE = "webhooks:manage"


@api.post("/webhooks")
@require_scope(SCOPE, *STAFF)
@documented("Subscribe an HTTPS endpoint to booking events (the answer holds the signing secret, once)",
            "webhooks", body=WebhookCreateSchema, response=WebhookSchema, status=201,
            # the endpoint rule (services/webhooks/domain/subscriptions.py check_url): https, or http on
            # loopback; a host, no credentials, no fragment, no literal internal address
            rules={"request.invalid": ("url",)})
def create_webhook():
    fields = load_body(WebhookCreateSchema())
    resp = jsonify(services().call("webhooks", "create_subscription", actor(), fields))
    resp.status_code = 201
    return resp


@api.get("/webhooks")
@require_scope(SCOPE, *STAFF)
@documented("Webhook subscriptions (one's own for a system)", "webhooks", response=WebhookListSchema)
def list_webhooks():
    return jsonify({"items": services().call("webhooks", "list_subscriptions", actor())})


@api.get("/webhooks/<webhook_id>")
@require_scope(SCOPE, *STAFF)
@documented("A webhook subscription: paused or not, its backlog (a deleted one too)", "webhooks",
            response=WebhookSchema)
def get_webhook(webhook_id: str):
    return jsonify(services().call("webhooks", "get_subscription", actor(), webhook_id))


@api.delete("/webhooks/<webhook_id>")
@require_scope(SCOPE, *STAFF)
@documented("Remove a webhook subscription (pending deliveries are cancelled; its history stays readable)",
            "webhooks", status=204)
def delete_webhook(webhook_id: str):
    services().call("webhooks", "delete_subscription", actor(), webhook_id)
    return "", 204


@api.get("/webhooks/<webhook_id>/deliveries")
@require_scope(SCOPE, *STAFF)
@documented("Deliveries of a subscription with their status, newest first (a deleted one's too)", "webhooks",
            query=DeliveryQuerySchema, response=DeliveryListSchema)
def list_webhook_deliveries(webhook_id: str):
    query = load_query(DeliveryQuerySchema())
    return jsonify({"items": services().call("webhooks", "deliveries", actor(), webhook_id, query)})
