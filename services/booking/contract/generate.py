"""Writes docs/events/ from the marshmallow schemas: a JSON Schema per (event type, version), the
envelope's, the AsyncAPI document, and the fingerprints of published versions.

  python -m services.booking.contract.generate            write docs/events/
  python -m services.booking.contract.generate --check    exit 1 when docs/events/ differs

A published (type, version) keeps its fingerprint forever: when its schema changes the generator
refuses (make a new version instead)."""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from pathlib import Path

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .schemas import REGISTRY, EnvelopeSchema
from .events import CURRENT
from .public import CONTEXT_EXCHANGE, EXCHANGE

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs" / "events"
FINGERPRINTS = "fingerprints.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://ims.local/schemas/events/"


def _strictify(node):
    """additionalProperties: false on every object (a field outside the contract is a leak)."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node.setdefault("additionalProperties", False)
        for value in node.values():
            _strictify(value)
    elif isinstance(node, list):
        for value in node:
            _strictify(value)
    return node


def _rewrite_refs(node):
    if isinstance(node, dict):
        return {k: (v.replace("#/components/schemas/", "#/$defs/") if k == "$ref" else _rewrite_refs(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def json_schema(schema_cls, name: str, title: str) -> dict:
    """A self-contained JSON Schema (2020-12) of a marshmallow schema, through apispec."""
    spec = APISpec(title="IMS", version="1", openapi_version="3.1.0", plugins=[MarshmallowPlugin(
        schema_name_resolver=lambda s: (s if isinstance(s, type) else type(s)).__name__.removesuffix("Schema"))])
    spec.components.schema(name, schema=schema_cls)
    components = _rewrite_refs(copy.deepcopy(spec.to_dict()["components"]["schemas"]))
    main = components.pop(name)
    out = {"$schema": DIALECT, "$id": BASE_ID + f"{name}.json", "title": title, **main}
    if components:
        out["$defs"] = dict(sorted(components.items()))
    return _strictify(out)


def event_file(event_type: str, version: int) -> str:
    return f"{event_type}.v{version}.json"


def fingerprint(document: dict) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _dump(document) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def asyncapi(schemas: dict[str, dict]) -> dict:
    messages, components = {}, {"Envelope": {"$ref": "./envelope.json"}}
    for event_type in sorted(CURRENT):
        version = CURRENT[event_type]
        messages[event_type] = {
            "name": event_type,
            "title": f"{event_type} (schema_version {version})",
            "contentType": "application/json",
            "headers": {"type": "object", "properties": {
                "event_id": {"type": "string"}, "type": {"const": event_type},
                "stream_id": {"type": "string"}, "position": {"type": "integer"}}},
            "correlationId": {"location": "$message.payload#/correlation_id"},
            "payload": {"allOf": [
                {"$ref": "./envelope.json"},
                {"type": "object", "properties": {
                    "type": {"const": event_type}, "schema_version": {"const": version},
                    "data": {"$ref": f"./{event_file(event_type, version)}"}}}]},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "IMS booking events",
            "version": "1.0.0",
            "description": ("The public events of the IMS booking service. Each message is an envelope "
                            "(envelope.json) whose `data` follows the schema of its `type` and "
                            "`schema_version`. Delivery is at least once, in `position` order per "
                            "publisher: deduplicate on `event_id` (or on `position`). Catch up with "
                            "GET /api/v1/events?after=<position>; webhooks carry the same envelope. "
                            "The booking's context category is opt-in: only on booking.public.context, "
                            "to a system token with scope events:context, to a webhook made with "
                            "context: true. See docs/events/README.md."),
        },
        "defaultContentType": "application/json",
        "servers": {"rabbitmq": {"host": "localhost:5672", "protocol": "amqp", "protocolVersion": "0.9.1",
                                 "description": "the IMS RabbitMQ (a read-only user per subscriber)"}},
        "channels": {
            "bookingPublic": _channel(
                EXCHANGE, messages,
                f"Topic exchange `{EXCHANGE}` (durable); routing key = event type. Bind your own durable "
                "queue with `#` or the types you want. The booking's context category (`context`) is left "
                f"out here: a subscriber granted it reads `{CONTEXT_EXCHANGE}`. (`booking.events` is "
                "internal: full events for IMS's own services.)"),
            "bookingPublicContext": _channel(
                CONTEXT_EXCHANGE, messages,
                f"Topic exchange `{CONTEXT_EXCHANGE}` (durable): the same events as `{EXCHANGE}`, with the "
                "booking's context category (`context`, e.g. Santé mentale) in BookingCreated and "
                "BookingModified. Opt-in: only for a subscriber the bank grants it (RabbitMQ read "
                "permission on this exchange)."),
        },
        "operations": {
            "receiveBookingEvents": _receive("bookingPublic", messages),
            "receiveBookingEventsWithContext": _receive("bookingPublicContext", messages),
        },
        "components": {"schemas": components, "messages": messages},
    }


def _channel(exchange: str, messages: dict, description: str) -> dict:
    return {
        "address": "#",
        "description": description,
        "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
        "bindings": {"amqp": {"is": "routingKey", "exchange": {
            "name": exchange, "type": "topic", "durable": True, "autoDelete": False, "vhost": "/"},
            "bindingVersion": "0.3.0"}},
    }


def _receive(channel: str, messages: dict) -> dict:
    return {"action": "receive", "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [{"$ref": f"#/channels/{channel}/messages/{name}"} for name in messages]}


def build(existing_fingerprints: dict | None = None) -> dict[str, str]:
    """{file name: content} of docs/events/ (README.md excluded: written by hand)."""
    files: dict[str, str] = {}
    envelope = json_schema(EnvelopeSchema, "Envelope", "IMS event envelope")
    files["envelope.json"] = _dump(envelope)
    prints = dict(existing_fingerprints or {})
    schemas = {}
    for event_type in sorted(REGISTRY):
        for version, schema_cls in sorted(REGISTRY[event_type].items()):
            name = f"{event_type}V{version}"
            document = json_schema(schema_cls, name, f"{event_type} data, schema_version {version}")
            document["$id"] = BASE_ID + event_file(event_type, version)
            files[event_file(event_type, version)] = _dump(document)
            schemas[(event_type, version)] = document
            key = f"{event_type}.v{version}"
            print_ = fingerprint(document)
            if key in prints and prints[key] != print_:
                raise SystemExit(f"{key} is published and its schema changed: add version "
                                 f"{max(REGISTRY[event_type]) + 1} with an upcaster instead")
            prints[key] = print_
    files[FINGERPRINTS] = _dump(dict(sorted(prints.items())))
    files["asyncapi.json"] = _dump(asyncapi(schemas))
    return files


def committed_fingerprints(folder: Path = DOCS) -> dict:
    path = folder / FINGERPRINTS
    return json.loads(path.read_text()) if path.exists() else {}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.booking.contract.generate", description=__doc__)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--out", type=Path, default=DOCS)
    args = parser.parse_args(argv)
    files = build(committed_fingerprints(args.out))
    if args.check:
        stale = [n for n, text in files.items()
                 if not (args.out / n).exists() or (args.out / n).read_text() != text]
        if stale:
            print("docs/events is stale: " + ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_text(text)
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
