"""The OpenAPI 3 document, built with apispec from the marshmallow schemas the views declare with
@documented, and from the app's URL map, so no endpoint can be missing from it."""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, current_app, jsonify

from gateway.schemas.responses import ErrorSchema

PREFIX = "/api/v1"
_ERRORS = {400: "Invalid input", 401: "Missing or invalid token", 403: "Role not allowed",
           404: "Not found (or not visible to the caller)", 409: "Conflict with the booking's state",
           413: "Body too large", 415: "Body is not JSON", 502: "A service failed",
           503: "A service is unavailable or did not answer in time"}
_CONVERTER_PATTERNS = {}  # converter name -> regex, filled by register_converter_pattern


def documented(summary: str, tag: str, *, body=None, query=None, response=None, status: int = 200,
               public: bool = False, errors: tuple[int, ...] = (), binary: str | None = None):
    """Declares what the OpenAPI document says about a view. `body` may be a list (oneOf)."""

    def decorator(view):
        view.ims_doc = dict(summary=summary, tag=tag, body=body, query=query, response=response,
                            status=status, public=public, errors=errors, binary=binary)
        return view

    return decorator


def register_converter_pattern(name: str, regex: str) -> None:
    _CONVERTER_PATTERNS[name] = regex


def _operation(view, rule, method: str) -> dict:
    doc = getattr(view, "ims_doc", None) or {"summary": rule.endpoint, "tag": "misc", "public": True,
                                             "status": 200, "errors": ()}
    op: dict = {"summary": doc["summary"], "tags": [doc["tag"]], "operationId": f"{rule.endpoint.split('.')[-1]}_{method}"}
    params = []
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule.rule):
        schema = {"type": "string"}
        if converter in _CONVERTER_PATTERNS:
            schema["pattern"] = f"^{_CONVERTER_PATTERNS[converter]}$"
        params.append({"in": "path", "name": name, "required": True, "schema": schema})
    if doc.get("query"):
        params.append({"in": "query", "schema": doc["query"]})
    if params:
        op["parameters"] = params
    body = doc.get("body")
    if body is not None:
        schema = {"oneOf": list(body)} if isinstance(body, (list, tuple)) else body
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    ok: dict = {"description": "Success"}
    if doc.get("binary"):
        ok["content"] = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
        ok["description"] = doc["binary"]
    elif doc.get("response") is not None:
        ok["content"] = {"application/json": {"schema": doc["response"]}}
    op["responses"] = {str(doc["status"]): ok}
    statuses = set(doc.get("errors") or ()) | {503}
    if body is not None or doc.get("query"):
        statuses |= {400}
    if body is not None:
        statuses |= {413, 415}
    if not doc.get("public"):
        statuses |= {401, 403}
        op["security"] = [{"bearerAuth": []}]
    else:
        op["security"] = []
    if params and any(p["in"] == "path" for p in params):
        statuses |= {404}
    for status in sorted(statuses):
        op["responses"][str(status)] = {"$ref": f"#/components/responses/Error{status}"}
    return op


def build_spec(app: Flask) -> dict:
    spec = APISpec(title="IMS — Interpreter Management System API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "JSON API of the interpreter bank. Errors: {\"error\": {code, message, "
                                        "fields}}, messages in the token's language, else Accept-Language "
                                        "(fr, en), else French."},
                   servers=[{"url": "/"}])
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("Error", schema=ErrorSchema)
    for status, text in _ERRORS.items():
        spec.components.response(f"Error{status}", {
            "description": text, "content": {"application/json": {"schema": "Error"}}})
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or not (rule.rule.startswith(PREFIX) or rule.rule == "/healthz"):
            continue
        view = app.view_functions[rule.endpoint]
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(view, rule, method.lower())
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


bp = Blueprint("openapi", __name__)


@bp.get(PREFIX + "/openapi.json")
@documented("This OpenAPI document", "meta", public=True)
def openapi_document():
    cached = current_app.extensions.get("ims_openapi")
    if cached is None:
        cached = current_app.extensions["ims_openapi"] = build_spec(current_app)
    return jsonify(cached)
