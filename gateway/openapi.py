"""The OpenAPI 3 document, built with apispec from the marshmallow schemas the views declare with
@documented, and from the app's URL map, so no endpoint can be missing from it. It is the contract
the gateway keeps: a leaf field is documented by the very fragment it checks (schemas/fields.py),
a request body with two forms is a oneOf, and every status an operation can answer is listed.

400 means the request breaks this document (the gateway refuses it before any service sees it);
422 means it matches the document but a rule the document cannot state refuses it: the booking's or
account's current state, an order between two fields, the caller's role, the clock. Each operation's
422 lists those rules (x-rules: the error codes and the fields they name)."""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Blueprint, Flask, current_app, jsonify

from gateway.schemas.fields import anchored, leaf_properties
from gateway.schemas.responses import ErrorSchema, NotProvidedReportOutSchema, ProvidedReportOutSchema

PREFIX = "/api/v1"
_ERRORS = {400: "Invalid input: the request does not match this document",
           401: "Missing or invalid token or credentials", 403: "Role not allowed",
           404: "Not found (or not visible to the caller)", 409: "Conflict with the resource's current state",
           413: "Body too large", 415: "Body is not JSON",
           422: "The request matches this document, but a rule it cannot state refuses it (x-rules)",
           429: "Too many attempts: wait Retry-After seconds", 502: "A service failed",
           503: "A service is unavailable or did not answer in time"}
_CONVERTER_PATTERNS = {}  # converter name -> regex, filled by register_converter_pattern


def documented(summary: str, tag: str, *, body=None, query=None, response=None, status: int = 200,
               public: bool = False, errors: tuple[int, ...] = (), binary: dict | None = None,
               rules: dict[str, tuple[str, ...]] | None = None, calls: bool = True, responses=None):
    """Declares what the OpenAPI document says about a view.

    body: a schema, or a class with `forms` (a oneOf, with its `discriminator` if it has one).
    binary: {media type: description} of a file answer. errors: statuses beyond the usual ones.
    rules: the 422 codes -> the fields they may name, for rules the document cannot state.
    calls: the view calls a service (502, 503). responses: {status: schema} of other answers."""

    def decorator(view):
        view.ims_doc = dict(summary=summary, tag=tag, body=body, query=query, response=response,
                            status=status, public=public, errors=errors, binary=binary, rules=rules or {},
                            calls=calls, responses=responses or {})
        return view

    return decorator


def register_converter_pattern(name: str, regex: str) -> None:
    _CONVERTER_PATTERNS[name] = regex


def forms_of(body) -> tuple:
    return tuple(getattr(body, "forms", None) or (body,))


def _requires_something(schema) -> bool:
    cls = resolve_schema_cls(schema)
    return any(field.required for field in cls._declared_fields.values())


def _body(body) -> dict:
    forms = forms_of(body)
    if len(forms) == 1:
        schema = forms[0]
    else:
        schema = {"oneOf": list(forms)}
        discriminator = getattr(body, "discriminator", None)
        if discriminator:
            schema["discriminator"] = {
                "propertyName": discriminator["propertyName"],
                "mapping": {key: f"#/components/schemas/{name}" for key, name in discriminator["mapping"].items()}}
    # An empty body reads as {}: it may be left out unless a field is required.
    return {"required": any(_requires_something(f) for f in forms),
            "content": {"application/json": {"schema": schema}}}


def _operation(view, rule, method: str) -> dict:
    doc = getattr(view, "ims_doc", None) or {"summary": rule.endpoint, "tag": "misc", "public": True,
                                             "status": 200, "errors": (), "rules": {}, "calls": False,
                                             "responses": {}}
    op: dict = {"summary": doc["summary"], "tags": [doc["tag"]],
                "operationId": f"{rule.endpoint.split('.')[-1]}_{method}"}
    params = []
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule.rule):
        schema = {"type": "string"}
        if converter in _CONVERTER_PATTERNS:
            schema["pattern"] = anchored(_CONVERTER_PATTERNS[converter])
        params.append({"in": "path", "name": name, "required": True, "schema": schema})
    if doc.get("query"):
        params.append({"in": "query", "schema": doc["query"]})
    if params:
        op["parameters"] = params
    body = doc.get("body")
    if body is not None:
        op["requestBody"] = _body(body)
    ok: dict = {"description": "Success"}
    if doc.get("binary"):
        ok["content"] = {media: {"schema": {"type": "string", "format": "binary"}} for media in doc["binary"]}
        ok["description"] = "; ".join(f"{media}: {text}" for media, text in doc["binary"].items())
    elif doc.get("response") is not None:
        ok["content"] = {"application/json": {"schema": doc["response"]}}
    elif doc["status"] == 204:
        ok["description"] = "Done (no content)"
    op["responses"] = {str(doc["status"]): ok}
    statuses = set(doc.get("errors") or ())
    if doc.get("calls", True):
        statuses |= {502, 503}
    if body is not None or doc.get("query"):
        statuses |= {400}
    if doc.get("rules"):
        statuses |= {422}
    if body is not None:
        statuses |= {413, 415}
    if not doc.get("public"):
        statuses |= {401, 403}
        op["security"] = [{"bearerAuth": []}]
    else:
        op["security"] = []
    if any(p["in"] == "path" for p in params):
        statuses |= {404}
    for status in sorted(statuses):
        if status in doc.get("responses", {}):
            op["responses"][str(status)] = {"description": _ERRORS.get(status, "See the body"), "content": {
                "application/json": {"schema": doc["responses"][status]}}}
        elif status == 422:
            op["responses"]["422"] = {"$ref": "#/components/responses/Error422"}
            op["x-rules"] = {code: list(names) for code, names in doc["rules"].items()}
        else:
            op["responses"][str(status)] = {"$ref": f"#/components/responses/Error{status}"}
    return op


class _Plugin(MarshmallowPlugin):
    """apispec's marshmallow plugin, with the leaves documented by their own fragments and a schema's
    `json_schema_extra` (keywords over several fields, e.g. a `not`) added to its object."""

    def init_spec(self, spec):
        super().init_spec(spec)
        self.converter.add_attribute_function(leaf_properties)

    def schema_helper(self, name, _, schema=None, **kwargs):
        json_schema = super().schema_helper(name, _, schema=schema, **kwargs)
        extra = getattr(resolve_schema_cls(schema), "json_schema_extra", None) if schema is not None else None
        if json_schema is not None and extra:
            json_schema.update(extra)
        return json_schema


def build_spec(app: Flask) -> dict:
    spec = APISpec(title="IMS — Interpreter Management System API", version="1", openapi_version="3.0.3",
                   plugins=[_Plugin()],
                   info={"description": "JSON API of the interpreter bank. Errors: {\"error\": {code, message, "
                                        "fields}}, messages in the token's language, else Accept-Language "
                                        "(fr, en), else French. 400: the request breaks this document; 422: "
                                        "it matches, but a rule the document cannot state refuses it (the "
                                        "operation's x-rules)."},
                   servers=[{"url": "/"}])
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("Error", schema=ErrorSchema)
    for name, schema in (("ProvidedReportOut", ProvidedReportOutSchema),
                         ("NotProvidedReportOut", NotProvidedReportOutSchema)):
        spec.components.schema(name, schema=schema)   # a booking's report: either form (responses.py)
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
@documented("This OpenAPI document", "meta", public=True, calls=False)
def openapi_document():
    cached = current_app.extensions.get("ims_openapi")
    if cached is None:
        cached = current_app.extensions["ims_openapi"] = build_spec(current_app)
    return jsonify(cached)
