"""Importing a CSV file of one kind: each row creates an item, changes it, or is refused with its
reasons; the good rows are applied together (one transaction), whatever the bad ones hold. A dry run
reports the same without applying anything. The bank's default set is loaded the same way, adding
only the items that do not exist yet (an item the bank changed or deactivated stays as it is)."""
from __future__ import annotations

import base64
import binascii

from ims_common import validation as v
from ims_common.errors import IMSError, ValidationFailed
from services.reference.contract import events as E
from services.reference.contract import vocabulary as V
from services.reference.contract.fold import apply
from services.reference.domain import csv_rows
from services.reference.domain import decide as D
from services.reference.domain.items import boolean, normalize_code, slug

PAYLOAD_FIELDS = ("text", "content_base64", "dry_run", "filename")


def read_payload(payload) -> tuple[str, str, bool]:
    """(text, encoding, dry_run) of an import request: the file as text, or its bytes in base64."""
    payload = v.require_object(payload, "payload")
    errors = v.Errors()
    v.reject_unknown(payload, PAYLOAD_FIELDS, errors)
    dry_run = v.boolean(payload.get("dry_run"), "dry_run", errors, default=False)
    text, encoded = payload.get("text"), payload.get("content_base64")
    if (text is None) == (encoded is None):
        errors.add("text", "field.required")
    elif text is not None and not isinstance(text, str):
        errors.add("text", "field.not_a_string")
    elif encoded is not None and not isinstance(encoded, str):
        errors.add("content_base64", "field.not_a_string")
    errors.raise_if_any()
    if text is not None:
        if len(text) > csv_rows.MAX_BYTES:
            raise ValidationFailed("reference.csv_too_large",
                                     {"max_rows": csv_rows.MAX_ROWS, "max_mb": csv_rows.MAX_BYTES // 2**20})
        return text, "utf-8", dry_run
    if len(encoded) > csv_rows.MAX_BYTES * 4 // 3 + 4:
        raise ValidationFailed("reference.csv_too_large",
                                 {"max_rows": csv_rows.MAX_ROWS, "max_mb": csv_rows.MAX_BYTES // 2**20})
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise v.invalid({"content_base64": ["field.invalid_base64"]}) from None
    text, encoding = csv_rows.decode(content)
    return text, encoding, dry_run


def import_csv(app, actor: dict, kind: str, payload, only_new: bool = False) -> dict:
    D.check_kind(kind)
    D.authorize(actor, D.CREATE)
    text, encoding, dry_run = read_payload(payload)
    return import_text(app, actor, kind, text, encoding=encoding, dry_run=dry_run, only_new=only_new)


def import_text(app, actor: dict, kind: str, text: str, encoding: str = "utf-8", dry_run: bool = False,
                only_new: bool = False) -> dict:
    table = csv_rows.read_rows(kind, text)
    app.catch_up()
    pending: dict[tuple[str, str], dict] = {}

    def lookup(k: str, item_id: str):
        return pending.get((k, item_id)) or app.lookup(k, item_id)

    report = {"kind": kind, "dry_run": dry_run, "encoding": encoding, "delimiter": table["delimiter"],
              "columns": [c for c in table["columns"] if c], "ignored_columns": table["ignored_columns"],
              "rows": len(table["rows"]), "added": [], "changed": [], "unchanged": [], "refused": []}
    decisions = []
    seen: dict[str, int] = {}
    long_rows = set(table["long_rows"])
    for line, row in table["rows"]:
        item_id = _id_of(kind, row)
        if line in long_rows:
            report["refused"].append({"line": line, "id": item_id,
                                      "errors": {"_row": ["reference.field.too_many_cells"]}})
            continue
        if item_id is not None and item_id in seen:
            report["refused"].append({"line": line, "id": item_id,
                                      "errors": {"code": ["reference.field.duplicate_in_file"]}})
            continue
        try:
            outcome, decided, version = _decide_row(kind, row, item_id, lookup, only_new)
        except IMSError as exc:
            errors = exc.fields if exc.fields else {"_row": [exc.code]}
            report["refused"].append({"line": line, "id": item_id, "errors": errors})
            continue
        if item_id is None:      # a code made from the name, once the row was checked
            item_id = decided[0][1]["id"] if decided else None
        seen[item_id] = line
        entry = {"line": line, "id": item_id}
        if outcome == "changed":
            entry["fields"] = sorted({f for _, data in decided for f in (data.get("changes") or {})}
                                     | ({"active"} if any(t != E.CHANGED for t, _ in decided) else set()))
        report[outcome].append(entry)
        if decided:
            state = lookup(kind, item_id)
            for number, (event_type, data) in enumerate(decided, start=version + 1):
                state = apply(state, {"type": event_type, "data": data, "stream_version": number,
                                      "occurred_at": None, "actor": actor})
            pending[(kind, item_id)] = state
            decisions.append((kind, item_id, version, decided))
    if decisions and not dry_run:
        app.append(actor, decisions)
    report["counts"] = {k: len(report[k]) for k in ("added", "changed", "unchanged", "refused")}
    return report


def _id_of(kind: str, row: dict) -> str | None:
    code = normalize_code(kind, row.get("code"))
    if code is None and kind in ("context", "report_reason") and not (row.get("code") or "").strip():
        code = slug(row.get("label_fr") or "") or None
    if code is None:
        return None
    establishment = normalize_code(V.ESTABLISHMENT, row.get("establishment")) if kind in V.SCOPED else None
    if kind in V.SCOPED and establishment is None:
        return None
    return V.item_id(kind, code, establishment)


def _decide_row(kind: str, row: dict, item_id: str | None, lookup, only_new: bool):
    """("added" | "changed" | "unchanged", the events, the version they were decided at)."""
    fields = {k: (val if val != "" else None) for k, val in row.items() if k != csv_rows.ACTIVE}
    errors = v.Errors()
    active = boolean(row.get(csv_rows.ACTIVE), "active", errors, default=None) \
        if row.get(csv_rows.ACTIVE) else None
    errors.raise_if_any()
    state = lookup(kind, item_id) if item_id else None
    if state is None:
        new_id, decided = D.decide_create(kind, fields, lookup)
        if active is False:
            decided += [(E.DEACTIVATED, {"kind": kind, "id": new_id, "reason": None})]
        return "added", decided, 0
    if only_new:
        return "unchanged", [], state["version"]
    fields.pop("establishment", None) if kind in V.SCOPED else None
    decided = D.decide_change(kind, state, {k: val for k, val in fields.items() if k != "code"}, lookup)
    if active is not None and active != state.get("active"):
        decided += [(E.DEACTIVATED, {"kind": kind, "id": item_id, "reason": None}) if not active
                    else (E.REACTIVATED, {"kind": kind, "id": item_id})]
    return ("changed" if decided else "unchanged"), decided, state["version"]
