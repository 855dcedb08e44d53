"""The gateway's Flask app factory: JSON API under /api/v1, its OpenAPI document, /healthz."""
from __future__ import annotations

import os

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway import health, openapi
from gateway.api import CONVERTERS, api
from gateway.errors import register_error_handlers
from gateway.event_feed import EventFeed
from gateway.read_cache import FEED_EXCHANGES, ReadCache, WriteMark
from gateway.revocations import RevocationView
from gateway.rpc import RpcPool, ServiceClient
from gateway.security import REQUEST_ID_KEY, assign_request_id

MB = 1024 * 1024
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"
UPLOAD_ENDPOINTS = {"api.booking_attachments", "api.add_profile_file"}


def create_app(rpc=None, config: dict | None = None) -> Flask:
    """`rpc`: anything with call(service, method, *args, timeout=None) (tests pass a fake, and get a
    revocation view fed only by hand: app.extensions["ims_revocations"].apply(type, data));
    default: a pool of nameko RPC proxies that connects on first use, and the event feed."""
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
    if rpc is not None:
        app.extensions["ims_rpc"] = ServiceClient(rpc)
        app.extensions["ims_revocations"] = RevocationView(always_trusted=True)
    else:
        app.extensions["ims_rpc"], app.extensions["ims_revocations"] = _service_client()

    register_error_handlers(app)
    app.before_request(assign_request_id)
    app.before_request(_limit_body)
    app.register_blueprint(api)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(health.bp)
    from gateway.web import init_web  # the web pages (gateway/web/), imported here: flask-babel is theirs
    init_web(app)

    app.wsgi_app = SecurityHeaders(app.wsgi_app)     # inside ProxyFix: it sees the client's scheme
    proxies = app.config["IMS_TRUSTED_PROXIES"]
    if proxies > 0:  # behind N reverse proxies: the client address (login throttling) is in X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    return app


def _service_client() -> tuple[ServiceClient, RevocationView]:
    """The pool of RPC proxies and the event feed of this worker: it feeds the revocation view
    (gateway/revocations.py) and, unless GATEWAY_LIST_CACHE=off, the booking-list cache. Workers of
    one gunicorn share a write mark (GATEWAY_WRITE_MARK, made by deploy/gunicorn.conf.py) so a
    write through one is seen by the others' next list at once."""
    pool = RpcPool()
    cache = None
    if os.environ.get("GATEWAY_LIST_CACHE", "on").lower() not in ("off", "0", "false", "no"):
        mark_path = os.environ.get("GATEWAY_WRITE_MARK")
        cache = ReadCache(mark=WriteMark(mark_path) if mark_path else None)
    view = RevocationView()
    feed = EventFeed(pool.amqp_uri, cache, FEED_EXCHANGES, revocations=view,
                     load_revocations=lambda: pool.call("auth", "revocations_in_force", timeout=5))
    view.start = feed.ensure_started
    return ServiceClient(pool, cache=cache, feed=feed), view


def start_feed(app: Flask) -> None:
    """Starts the worker's event feed now rather than at the first request (gunicorn's
    post_worker_init): the revocations are loaded before anyone is served."""
    feed = getattr(app.extensions.get("ims_rpc"), "feed", None)
    if feed is not None:
        feed.ensure_started()


def _limit_body():
    if request.endpoint not in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["IMS_MAX_JSON_BYTES"]


# Set on every answer unless the view set its own.
_DEFAULT_HEADERS = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
                    ("X-Frame-Options", "DENY"), ("Content-Security-Policy", API_CSP),
                    ("Cross-Origin-Resource-Policy", "same-origin"))
_DEFAULT_NAMES = frozenset(name.lower() for name, _ in _DEFAULT_HEADERS)


class SecurityHeaders:
    """WSGI: the headers above on every answer (the view's own kept), Cache-Control no-store except
    for /static/, HSTS over HTTPS, and the request's id. Added to the list of header pairs the app
    hands to the server rather than through the response's Headers object, which validates each
    name and value again: on a cached list that was a tenth of the gateway's own time per request."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            if present.isdisjoint(_DEFAULT_NAMES):       # the usual answer: no header of the view's to keep
                headers.extend(_DEFAULT_HEADERS)
            else:
                headers.extend(pair for pair in _DEFAULT_HEADERS if pair[0].lower() not in present)
            if not environ.get("PATH_INFO", "").startswith("/static/"):
                # personal and health-related data: never cached
                if "cache-control" in present:
                    headers[:] = [pair for pair in headers if pair[0].lower() != "cache-control"]
                headers.append(("Cache-Control", "no-store"))
            if environ.get("wsgi.url_scheme") == "https" and "strict-transport-security" not in present:
                headers.append(("Strict-Transport-Security", "max-age=31536000"))
            request_id = environ.get(REQUEST_ID_KEY)
            if request_id:
                if "x-request-id" in present:
                    headers[:] = [pair for pair in headers if pair[0].lower() != "x-request-id"]
                headers.append(("X-Request-ID", request_id))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)
