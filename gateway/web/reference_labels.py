"""Reference names in the page's language. Bookings and profiles keep a language and a context by
its French name (services/booking/domain/reference_fields.py; profiles as the bank typed them); an
English page shows the item's English name instead, the French one where reference data has no
English name (vocabulary.label) or does not know the value. A French page shows the value as kept,
without asking reference data."""
from __future__ import annotations

from flask import g

from gateway.rpc import ServiceError
from gateway.web import current_actor, page_lang, rpc, web
from ims_common.errors import IMSError
from services.reference.contract import vocabulary as RV
from services.reference.contract.text import fold_text

NAMED = (RV.LANGUAGE, RV.CONTEXT)


def ref_label(kind: str, value) -> str:
    """`value` (a language's or context's code or name, in either language) named in the page's language."""
    if not isinstance(value, str) or not value:
        return value or ""
    lang = page_lang()
    if lang == "fr" or kind not in NAMED:
        return value
    return _names(kind, lang).get(fold_text(value), value)


def reference_items(kind: str) -> list[dict]:
    """Every item of `kind`, inactive ones too (an old booking may name one), fetched once per request
    whoever asks (names of languages, establishments, facilities on one page); [] when reference data
    cannot answer."""
    cache = g.setdefault("reference_items", {})
    if kind not in cache:
        try:
            cache[kind] = rpc("reference", "list_items", current_actor(), kind,
                              {"per_page": 1000, "include_inactive": True})["items"] or []
        except (IMSError, ServiceError, KeyError, TypeError):
            cache[kind] = []
    return cache[kind]


def _names(kind: str, lang: str) -> dict[str, str]:
    """Folded code, French and English name -> the name in `lang`, once per request and kind; {} when
    reference data cannot answer (the values are shown as kept)."""
    cache = g.setdefault("reference_labels", {})
    if kind not in cache:
        cache[kind] = {fold_text(item.get(key)): RV.label(item, lang)
                       for item in reference_items(kind) for key in ("code", "label_en", "label_fr")
                       if item.get(key)}
    return cache[kind]


@web.app_context_processor
def _reference_label_helpers():
    return {"ref_label": ref_label}
