"""The gateway's Flask app factory: JSON API under /api/v1, its OpenAPI document, /healthz."""
from __future__ import annotations

import os

from flask import Flask, current_app, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway import health, openapi
from gateway.api import CONVERTERS, api
from gateway.errors import register_error_handlers
from gateway.event_feed import EventFeed
from gateway.read_cache import FEED_EXCHANGES, ReadCache, WriteMark
from gateway.rpc import RpcPool, ServiceClient
from gateway.security import assign_request_id

MB = 1024 * 1024
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"
UPLOAD_ENDPOINTS = {"api.booking_attachments", "api.add_profile_file"}


def create_app(rpc=None, config: dict | None = None) -> Flask:
    """`rpc`: anything with call(service, method, *args, timeout=None) (tests pass a fake);
    default: a pool of nameko RPC proxies that connects on first use."""
    app = Flask("gateway")
    app.config.update(
        MAX_CONTENT_LENGTH=15 * MB,            # attachments (base64 of up to 10 MB)
        IMS_MAX_JSON_BYTES=1 * MB,             # every other body
        IMS_HEALTH_TIMEOUT=float(os.environ.get("GATEWAY_HEALTH_TIMEOUT", "2")),
        IMS_TRUSTED_PROXIES=int(os.environ.get("GATEWAY_TRUSTED_PROXIES", "0")),
    )
    app.config.update(config or {})
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.url_map.converters.update(CONVERTERS)
    app.extensions["ims_rpc"] = ServiceClient(rpc) if rpc is not None else _service_client()

    register_error_handlers(app)
    app.before_request(assign_request_id)
    app.before_request(_limit_body)
    app.after_request(_security_headers)
    app.register_blueprint(api)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(health.bp)
    from gateway.web import init_web  # the web pages (gateway/web/), imported here: flask-babel is theirs
    init_web(app)

    proxies = app.config["IMS_TRUSTED_PROXIES"]
    if proxies > 0:  # behind N reverse proxies: the client address (login throttling) is in X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    return app


def _service_client() -> ServiceClient:
    """The pool of RPC proxies, with the booking-list cache and its event feed unless
    GATEWAY_LIST_CACHE=off. Workers of one gunicorn share a write mark (GATEWAY_WRITE_MARK, made by
    deploy/gunicorn.conf.py) so a write through one is seen by the others' next list at once."""
    pool = RpcPool()
    if os.environ.get("GATEWAY_LIST_CACHE", "on").lower() in ("off", "0", "false", "no"):
        return ServiceClient(pool)
    mark_path = os.environ.get("GATEWAY_WRITE_MARK")
    cache = ReadCache(mark=WriteMark(mark_path) if mark_path else None)
    return ServiceClient(pool, cache=cache, feed=EventFeed(pool.amqp_uri, cache, FEED_EXCHANGES))


def _limit_body():
    if request.endpoint not in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["IMS_MAX_JSON_BYTES"]


def _security_headers(resp):
    headers = resp.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Content-Security-Policy", API_CSP)
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    if not request.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"   # personal and health-related data: never cached
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if g.get("request_id"):
        headers["X-Request-ID"] = g.request_id
    return resp
