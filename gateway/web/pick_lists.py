"""The request form's pick lists (the deck's lists), from the bank's reference data: languages and
contexts, and the establishment's facilities and cost centres. Each is offered as the field's
suggestions (a datalist): what a person picks is a language's or context's name in the page's
language (booking keeps the French one), a facility's or cost centre's code; text typed as before
still works, as booking reads codes and names alike (services/booking/domain/reference_fields.py)."""
from __future__ import annotations

from gateway.rpc import ServiceError
from gateway.web import page_lang, rpc
from ims_common.errors import IMSError
from services.reference.contract import vocabulary as RV

# kind -> the value a pick puts in the field
VALUE_OF = {RV.LANGUAGE: "label_fr", RV.CONTEXT: "label_fr", RV.FACILITY: "code", RV.COST_CENTRE: "code"}
SCOPED = (RV.FACILITY, RV.COST_CENTRE)
NAMED = (RV.LANGUAGE, RV.CONTEXT)


def pick_lists(actor: dict, establishment: str | None) -> dict[str, list[tuple[str, str]]]:
    """kind -> [(value, label in the page's language)], active items only; a facility's and cost
    centre's list only for a known establishment (the requester's, or the booking's). A kind the
    reference service cannot answer for is left out: the field stays plain text."""
    lang, out = page_lang(), {}
    for kind, value in VALUE_OF.items():
        query: dict = {"per_page": 1000}
        if kind in SCOPED:
            if not establishment:
                continue
            query["establishment"] = establishment
        try:
            items = rpc("reference", "list_items", actor, kind, query)["items"]
        except (IMSError, ServiceError):
            continue
        out[kind] = [(RV.label(item, lang) if kind in NAMED else item[value], _label(kind, item, lang))
                     for item in items if item.get(value)]
    return out


def _label(kind: str, item: dict, lang: str) -> str:
    name = RV.label(item, lang)
    return f"{item['code']} — {name}" if kind in SCOPED and name != item["code"] else name
