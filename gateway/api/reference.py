"""Reference data (services/reference): /api/v1/reference/<kind>/..., the same routes for each kind.
Every signed-in role reads the lists (forms pick from them); coordinators and admins change them."""
from __future__ import annotations

from flask import jsonify

from gateway.api import CONVERTERS, _converter, api, services
from gateway.errors import current_lang
from gateway.openapi import documented
from gateway.schemas.reference import SCHEMAS, DeactivateSchema, ImportReportSchema, ImportSchema
from gateway.security import STAFF, actor, require
from gateway.validation import load_body, load_query
from ims_common.messages import translate
from services.reference.contract import messages as _codes  # noqa: F401  (registers the service's message codes)
from services.reference.contract import vocabulary as V

TAG = "reference"
# A CSV file's own rules (its first line names the columns…) are not the document's: 422 with these codes.
IMPORT_RULES = {code: () for code in ("reference.csv_empty", "reference.csv_unreadable", "reference.csv_too_large",
                                       "reference.csv_duplicate_column", "reference.csv_missing_columns")}


def _register(kind: str) -> None:
    """The routes of one kind (distinct view functions, so each has its own documented schemas)."""
    slug, schemas = V.SLUGS[kind], SCHEMAS[kind]
    label, plural = V.kind_label(kind, "en").lower(), V.kind_label(kind, "en", plural=True).lower()
    converter = f"ref_{kind}"
    CONVERTERS[converter] = _converter(converter, V.id_pattern(kind))
    base, one = f"/reference/{slug}", f"/reference/{slug}/<{converter}:item_id>"

    @require()
    @documented(f"List the {plural}: active ones by default, with search and filters", TAG,
                query=schemas.query, response=schemas.page)
    def list_view():
        query = load_query(schemas.query())
        if "include_inactive" in query:
            query["include_inactive"] = query["include_inactive"] == "true"
        return jsonify(services().call("reference", "list_items", actor(), kind, query))

    @require(*STAFF)
    @documented(f"Create a {label} (coordinators)", TAG, body=schemas.create, response=schemas.item, status=201,
                errors=(409,))
    def create_view():
        resp = jsonify(services().call("reference", "create_item", actor(), kind, load_body(schemas.create())))
        resp.status_code = 201
        return resp

    @require()
    @documented(f"One {label}, active or not", TAG, response=schemas.item)
    def get_view(item_id: str):
        return jsonify(services().call("reference", "get_item", actor(), kind, item_id))

    @require(*STAFF)
    @documented(f"Change a {label}: the fields given (null clears an optional one); the rest is kept", TAG,
                body=schemas.change, response=schemas.item, errors=(409,))
    def change_view(item_id: str):
        return jsonify(services().call("reference", "change_item", actor(), kind, item_id,
                                       load_body(schemas.change())))

    @require(*STAFF)
    @documented(f"Deactivate a {label}: kept with its history, left out of the lists", TAG,
                body=DeactivateSchema, response=schemas.item, errors=(409,))
    def deactivate_view(item_id: str):
        reason = load_body(DeactivateSchema()).get("reason")
        return jsonify(services().call("reference", "deactivate_item", actor(), kind, item_id, reason))

    @require(*STAFF)
    @documented(f"Reactivate a {label}", TAG, response=schemas.item, errors=(409,))
    def reactivate_view(item_id: str):
        return jsonify(services().call("reference", "reactivate_item", actor(), kind, item_id))

    @require(*STAFF)
    @documented(f"A {label} and each of its versions: when, by whom, what changed", TAG,
                response=schemas.history)
    def history_view(item_id: str):
        return jsonify(services().call("reference", "item_history", actor(), kind, item_id))

    @require(*STAFF)
    @documented(f"Import {plural} from a CSV file: each row added, changed, unchanged or refused with its "
                "reasons; the good rows are applied whatever the bad ones hold", TAG,
                body=ImportSchema, response=ImportReportSchema, rules=IMPORT_RULES)
    def import_view():
        body = load_body(ImportSchema())
        report = services().call("reference", "import_csv", actor(), kind,
                                 {"text": body["csv"], "dry_run": bool(body.get("dry_run"))})
        return jsonify(translated_report(report, current_lang()))

    for rule, view, methods, name in ((base, list_view, ["GET"], "list"), (base, create_view, ["POST"], "create"),
                                      (f"{base}/import", import_view, ["POST"], "import"),
                                      (one, get_view, ["GET"], "get"), (one, change_view, ["PATCH"], "change"),
                                      (f"{one}/deactivate", deactivate_view, ["POST"], "deactivate"),
                                      (f"{one}/reactivate", reactivate_view, ["POST"], "reactivate"),
                                      (f"{one}/history", history_view, ["GET"], "history")):
        api.add_url_rule(rule, f"reference_{kind}_{name}", view, methods=methods)


def translated_report(report: dict, lang: str) -> dict:
    """The import report with each refused row's codes as messages in the caller's language."""
    refused = [{**row, "errors": {field: [translate(code, lang) for code in codes]
                                  for field, codes in (row.get("errors") or {}).items()}}
               for row in report.get("refused") or []]
    return {**report, "refused": refused}


for _kind in V.KINDS:
    _register(_kind)
