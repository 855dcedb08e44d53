"""Reading request input through marshmallow schemas: a JSON object body, or the query string."""
from __future__ import annotations

import json

from flask import request
from marshmallow import ValidationError

from gateway.errors import ApiError
from gateway.schemas.fields import Beyond, Msg


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")  # Python's json accepts NaN and Infinity; JSON does not


def json_object() -> dict:
    """The body as a dict: no body counts as {}; anything but a JSON object is a 4xx."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if not request.is_json:
        raise ApiError(415, "request.unsupported_media_type")
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # includes bad UTF-8 and over-long integers
        raise ApiError(400, "request.invalid_json") from None
    if not isinstance(data, dict):
        raise ApiError(400, "request.not_an_object")
    return data


def _codes(messages):
    if isinstance(messages, dict):
        for value in messages.values():
            yield from _codes(value)
    elif isinstance(messages, (list, tuple)):
        for value in messages:
            yield from _codes(value)
    else:
        yield messages


def status_of(messages) -> int:
    """400 when the input breaks the OpenAPI document; 422 when it matches the document and only
    rules the document cannot state refuse it (schemas.fields.Beyond)."""
    return 422 if all(isinstance(code, Beyond) for code in _codes(messages)) else 400


def instance(schema):
    """A schema given as its class: one instance per class, made once (a marshmallow schema copies
    all its fields when made, which cost more than the load itself on a hot route; its load keeps
    no state between calls)."""
    if not isinstance(schema, type):
        return schema
    made = _INSTANCES.get(schema)
    if made is None:
        made = _INSTANCES.setdefault(schema, schema())
    return made


_INSTANCES: dict = {}


def load(schema, data: dict) -> dict:
    """schema: an instance, or its class (see instance)."""
    schema = instance(schema)
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ApiError(status_of(exc.messages), "request.invalid", fields=exc.messages) from None


def load_body(schema) -> dict:
    return load(schema, json_object())


def load_query(schema, lists: tuple[str, ...] = ()) -> dict:
    """Query parameters: those in `lists` may repeat or hold comma-separated values; others once.
    With a schema given as its class (one whose load depends on nothing but the string, no clock),
    a query string loaded well before is not loaded again: a page polling its list sends the same
    one each time."""
    if not isinstance(schema, type):
        return _load_query(schema, lists)
    key = (schema, lists, request.query_string)
    kept = _QUERIES.get(key)
    if kept is not None:
        return _copy(kept)
    loaded = _load_query(schema, lists)
    if len(_QUERIES) >= _QUERIES_MAX:
        _QUERIES.clear()
    _QUERIES[key] = _copy(loaded)
    return loaded


_QUERIES: dict = {}
_QUERIES_MAX = 1024


def _copy(query: dict) -> dict:
    return {k: list(v) if isinstance(v, list) else v for k, v in query.items()}


def _load_query(schema, lists: tuple[str, ...]) -> dict:
    data: dict = {}
    repeated = {}
    for key in request.args:
        values = request.args.getlist(key)
        if key in lists:
            data[key] = [part.strip() for value in values for part in value.split(",") if part.strip()]
        elif len(values) > 1:
            repeated[key] = [Msg("field.repeated")]
        else:
            data[key] = values[0]
    if repeated:
        raise ApiError(400, "request.invalid", fields=repeated)
    try:
        return instance(schema).load(data)
    except ValidationError as exc:
        # "status.1" means nothing to someone who wrote ?status=a,b: name the parameter.
        fields = {key: sorted({m for msgs in value.values() for m in msgs}) if isinstance(value, dict) else value
                  for key, value in exc.messages.items()}
        raise ApiError(status_of(exc.messages), "request.invalid", fields=fields) from None
