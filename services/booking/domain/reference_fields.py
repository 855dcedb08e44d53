"""The booking fields that name the bank's reference data (docs/contracts.md, "Reference data"):
languages, context, establishment, facility and cost centre. A value is looked up by its code or its
French or English name (accents and case aside, so text typed before the lists existed still
counts), then stored in one form:

- languages and context: the item's French name ("hu", "hongrois", "Hungarian" -> "Hongrois"), the
  form profiles, messages and lists already show;
- establishment, facility and cost centre: the item's code ("Hôpital Maisonneuve-Rosemont" ->
  "HC-HMR"); a facility and a cost centre must belong to the booking's establishment, and an empty
  cost centre description is filled from the list.

An unknown (or deactivated) value is refused naming its field. Where the bank keeps no list (the
kind has no item yet, or the establishment has no facility or cost centre on record) the value is
kept as given: there is nothing to check it against."""
from __future__ import annotations

from typing import Protocol

from ims_common.errors import ValidationFailed

LANGUAGE, CONTEXT, ESTABLISHMENT, FACILITY, COST_CENTRE = (
    "language", "context", "establishment", "facility", "cost_centre")

# booking field -> (reference kind, scoped to the booking's establishment, stored form)
FIELDS = {
    "establishment": (ESTABLISHMENT, False, "code"),
    "source_language": (LANGUAGE, False, "label_fr"),
    "target_language": (LANGUAGE, False, "label_fr"),
    "context": (CONTEXT, False, "label_fr"),
    "facility": (FACILITY, True, "code"),
    "cost_center": (COST_CENTRE, True, "code"),
}
CHECK_ORDER = tuple(FIELDS)          # the establishment first: the scoped ones depend on it
UNKNOWN = {name: f"booking.unknown_{'language' if kind == LANGUAGE else kind}"
           for name, (kind, _scoped, _form) in FIELDS.items()}


class Lists(Protocol):
    """What the rule reads of the reference data (the booking service's copy)."""

    def has_list(self, kind: str, establishment: str | None = None) -> bool: ...

    def find(self, kind: str, text: str, establishment: str | None = None) -> dict | None: ...

    def cost_centre_description(self, establishment: str, code: str) -> str: ...


def resolve(values: dict, lists: Lists, establishment: str | None = None) -> dict:
    """`values` (booking fields, all or only those a modification changes) with their reference
    fields in stored form; `establishment` is the booking's when `values` does not carry it.
    Raises ValidationFailed naming every unknown field; its code is the first one's, whose
    message names the field and the value in words."""
    out = dict(values)
    fields: dict[str, list[str]] = {}
    first: tuple[str, dict] | None = None
    for name in CHECK_ORDER:
        value = out.get(name)
        if not isinstance(value, str) or not value.strip():
            continue
        kind, scoped, form = FIELDS[name]
        scope = (out.get("establishment") or establishment) if scoped else None
        if scoped and not scope:
            continue
        if not lists.has_list(kind, scope):
            continue
        item = lists.find(kind, value.strip(), scope)
        if item is None:
            fields[name] = [UNKNOWN[name]]
            if first is None:
                first = (UNKNOWN[name], {"value": value.strip()[:80], "establishment": scope or ""})
            continue
        out[name] = item.get(form) or item["code"]
    if first is not None:
        raise ValidationFailed(first[0], first[1], fields)
    centre, scope = out.get("cost_center"), out.get("establishment") or establishment
    if "cost_center" in values and isinstance(centre, str) and centre and scope \
            and not (out.get("cost_center_description") or "").strip():
        description = lists.cost_centre_description(scope, centre)
        if description:
            out["cost_center_description"] = description
    return out
