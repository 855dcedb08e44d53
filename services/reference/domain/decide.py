"""The decider of reference items: given an item's state (contract/fold.py) and a command, the events
to append, or an error. Who may try each command is in WRITE_ROLES; reading is open to every signed-in
role (booking forms, profiles and reports pick from these lists)."""
from __future__ import annotations

from ims_common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.auth.contract.vocabulary import STAFF, SYSTEM
from services.reference.contract import events as E
from services.reference.contract import vocabulary as V

from .items import Lookup, changes, check_item, item_id_of

CREATE, CHANGE, DEACTIVATE, REACTIVATE = "create", "change", "deactivate", "reactivate"
WRITE_ROLES = {command: STAFF + (SYSTEM,) for command in (CREATE, CHANGE, DEACTIVATE, REACTIVATE)}
HISTORY_ROLES = STAFF + (SYSTEM,)
REASON_MAX = 500


def check_kind(kind) -> str:
    if kind not in V.KINDS:
        raise ValidationFailed("reference.unknown_kind", {"kind": str(kind)[:40]}, {"kind": ["field.not_one_of"]})
    return kind


def authorize(actor: dict, command: str) -> None:
    if (actor or {}).get("role") not in WRITE_ROLES[command]:
        raise Forbidden("reference.forbidden")


def decide_create(kind: str, fields: dict, lookup: Lookup) -> tuple[str, list[tuple[str, dict]]]:
    """(the new item's id, its events). Refused when an item with that id exists (active or not)."""
    item = check_item(kind, fields, lookup)
    item_id = item_id_of(kind, item)
    if lookup(kind, item_id) is not None:
        raise Conflict("reference.already_exists", {"id": item_id})
    return item_id, [(E.CREATED, {"kind": kind, "id": item_id, "item": item})]


def decide_change(kind: str, state: dict | None, fields: dict, lookup: Lookup,
                  expected_version: int | None = None) -> list[tuple[str, dict]]:
    """The change's event, none when nothing differs. `expected_version`: the version the caller saw."""
    state = _existing(state)
    if expected_version is not None and expected_version != state["version"]:
        raise Conflict("reference.version_conflict", {"expected": expected_version, "actual": state["version"]})
    item = check_item(kind, fields, lookup, current=state)
    diff = changes(state, item, kind)
    if not diff:
        return []
    return [(E.CHANGED, {"kind": kind, "id": state["id"], "item": item, "changes": diff})]


def decide_deactivate(state: dict | None, reason=None) -> list[tuple[str, dict]]:
    state = _existing(state)
    if not state.get("active"):
        raise Conflict("reference.already_inactive")
    if reason is not None and (not isinstance(reason, str) or len(reason) > REASON_MAX):
        raise ValidationFailed("request.invalid", {"fields": "reason"}, {"reason": ["field.too_long"]})
    return [(E.DEACTIVATED, {"kind": state["kind"], "id": state["id"], "reason": (reason or "").strip() or None})]


def decide_reactivate(state: dict | None) -> list[tuple[str, dict]]:
    state = _existing(state)
    if state.get("active"):
        raise Conflict("reference.already_active")
    return [(E.REACTIVATED, {"kind": state["kind"], "id": state["id"]})]


def _existing(state: dict | None) -> dict:
    if state is None:
        raise NotFound("reference.not_found")
    return state
