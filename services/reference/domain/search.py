"""Listing reference items: the query a caller may give (checked here), the filter and the order.
Search ignores accents, case and punctuation (contract/text.py) over the code, both names, and the
address and city where the kind has them."""
from __future__ import annotations

from ims_common import validation as v
from services.reference.contract import vocabulary as V
from services.reference.contract.text import fold_text, matches

from .items import normalize_code

QUERY_FIELDS = ("q", "establishment", "region", "category", "include_inactive", "sort", "page", "per_page")
SORTS = ("code", "label")
PER_PAGE_MAX = 1000
SEARCHED = ("code", "label_fr", "label_en", "address", "city", "postal_code", "head_office_name", "direction")


def search_text(item: dict) -> str:
    """What the search matches against, folded once when the item is stored."""
    return " ".join(fold_text(item.get(k)) for k in SEARCHED if item.get(k) not in (None, ""))


def check_query(kind: str, query) -> dict:
    """The query with defaults: active items only, by name (regions by code), 100 a page."""
    query = v.require_object(query, "query")
    errors = v.Errors()
    v.reject_unknown(query, QUERY_FIELDS, errors)
    out = {
        "q": v.text(query.get("q"), "q", errors, 100),
        "include_inactive": v.boolean(query.get("include_inactive"), "include_inactive", errors, default=False),
        "sort": v.one_of(query.get("sort"), SORTS, "sort", errors, default="code" if kind == V.REGION else "label"),
        "page": v.integer(query.get("page"), "page", errors, 1, 100_000, default=1),
        "per_page": v.integer(query.get("per_page"), "per_page", errors, 1, PER_PAGE_MAX, default=100),
        "establishment": None, "region": None, "category": None,
    }
    for name, target, kinds in (("establishment", V.ESTABLISHMENT, (V.FACILITY, V.COST_CENTRE, V.ADMIN_UNIT)),
                                ("region", V.REGION, (V.ESTABLISHMENT,)),
                                ("category", None, (V.ESTABLISHMENT, V.REPORT_REASON))):
        raw = v.text(query.get(name), name, errors, 40)
        if raw is None:
            continue
        if kind not in kinds:
            errors.add(name, "field.unknown")
        elif target is not None:
            out[name] = normalize_code(target, raw)
            if out[name] is None:
                errors.add(name, "field.invalid_format")
        elif raw not in V.CATEGORY_CHOICES[kind]:
            errors.add(name, "field.not_one_of")
        else:
            out[name] = raw
    errors.raise_if_any()
    return out


def where_of(kind: str, query: dict) -> dict:
    """The document-store filter of a checked query (the words of `q` are matched after)."""
    where: dict = {"kind": kind}
    if not query["include_inactive"]:
        where["active"] = True
    for name in ("establishment", "region", "category"):
        if query.get(name):
            where[name] = query[name]
    return where


def select(items: list[dict], query: dict) -> dict:
    """{"items", "total", "page", "per_page"} of the items matching `q`, in the query's order."""
    if query.get("q"):
        words = fold_text(query["q"])
        items = [i for i in items if matches(words, i.get("search") or search_text(i))]
    if query["sort"] == "code":
        items = sorted(items, key=lambda i: i.get("code") or "")
    else:
        items = sorted(items, key=lambda i: (fold_text(i.get("label_fr")), i.get("code") or ""))
    start = (query["page"] - 1) * query["per_page"]
    page = [{k: val for k, val in i.items() if k != "search"} for i in items[start:start + query["per_page"]]]
    return {"items": page, "total": len(items), "page": query["page"], "per_page": query["per_page"]}
