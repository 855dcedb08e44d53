"""The booking service's own copy of the bank's reference data (the reference contract's
ReferenceCopy, checkpoint "reference"): live from reference.events, gaps and late starts filled
through reference.events_since. Read by the booking fields' rule (domain.reference_fields) and by
matching (facility coordinates, regions' head offices, language names, contexts needing a
competency)."""
from __future__ import annotations

from services.booking.domain import matching as m
from services.reference.contract import vocabulary as RV
from services.reference.contract.copy import ReferenceCopy
from services.reference.contract.text import fold_text


class ReferenceLists:
    """domain.reference_fields.Lists over the copy."""

    def __init__(self, copy: ReferenceCopy):
        self.copy = copy

    def has_list(self, kind: str, establishment: str | None = None) -> bool:
        return bool(self.copy.items(kind, establishment=establishment))

    def find(self, kind: str, text: str, establishment: str | None = None) -> dict | None:
        if kind in RV.SCOPED:
            found = self.copy.item(kind, RV.item_id(kind, text.upper(), establishment))
        else:
            found = self.copy.item(kind, text) or self.copy.item(kind, text.upper()) \
                or self.copy.item(kind, text.lower())
        if found and found.get("active") and (kind in RV.SCOPED or not establishment
                                               or found.get("establishment") == establishment):
            return found
        wanted = fold_text(text)
        for item in self.copy.items(kind, establishment=establishment):
            if wanted in (fold_text(item.get("label_fr")), fold_text(item.get("label_en")),
                          fold_text(item.get("code"))):
                return item
        return None

    def cost_centre_description(self, establishment: str, code: str) -> str:
        return self.copy.cost_centre_description(establishment, code)


def _coords(item: dict) -> tuple | None:
    if item.get("latitude") is None or item.get("longitude") is None:
        return None
    return float(item["latitude"]), float(item["longitude"])


def matching_catalogue(copy: ReferenceCopy) -> m.Catalogue:
    """What matching reads of the reference data, read once per match."""
    facilities = {}
    for item in copy.items(RV.FACILITY, active_only=False):
        if (at := _coords(item)):
            facilities[item["code"]] = at
    regions = {item["code"]: at for item in copy.items(RV.REGION, active_only=False) if (at := _coords(item))}
    languages = {}
    for item in copy.items(RV.LANGUAGE, active_only=False):
        for name in (item.get("code"), item.get("label_fr"), item.get("label_en")):
            if name:
                languages[m.norm(name)] = item["code"]
    contexts = {}
    for item in copy.items(RV.CONTEXT, active_only=False):
        for name in (item.get("code"), item.get("label_fr"), item.get("label_en")):
            if name:
                contexts[m.norm(name)] = (item["code"], bool(item.get("requires_competency")))
    return m.Catalogue(facilities=facilities, region_offices=regions, languages=languages, contexts=contexts)
