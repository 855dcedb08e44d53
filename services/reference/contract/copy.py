"""A consumer's own copy of the reference data, folded from `reference.events` (contract/fold.py).

A service that needs reference data (booking: validating a booking's fields, pick lists, matching
distances; payroll: the mileage check) keeps this copy in its own document store and feeds it from a
CheckpointedProjector, as docs/DEVELOPING.md says for every consumer:

    copy = ReferenceCopy(doc_store)                       # checkpoint "reference" by default
    # nameko: @event_handler("reference", "#", handler_type=SERVICE_POOL, reliable_delivery=True)
    copy.on_event(envelope, reference_rpc.events_since)
    # and a @timer(interval=2) catch-up: copy.catch_up(reference_rpc.events_since)

Then, with no call to the reference service: copy.facility("HC-HMR"), copy.region_head_office("06"),
copy.is_known("language", "hu"), copy.distance_km(copy.facility(a), copy.region_head_office("06")).
Each item is the dict described in vocabulary.py. Replays and redeliveries change nothing (an item
keeps the newest stream_version it saw)."""
from __future__ import annotations

from ims_common.docstore.port import DocumentStore
from ims_common.envelope import StoredEvent
from ims_common.projection import CheckpointedProjector, Fetch

from . import events as E
from . import vocabulary as V
from .fold import apply as fold_apply
from .geo import distance_km as _distance_km
from .text import fold_text

COLLECTION = "reference_copy"
CHECKPOINT = "reference"


class ReferenceCopy:
    def __init__(self, docs: DocumentStore, checkpoint: str = CHECKPOINT, collection: str = COLLECTION):
        self._docs = docs
        self._collection = collection
        docs.ensure_index(collection, ["kind", "code"])
        self.projector = CheckpointedProjector(docs, checkpoint, self.apply)

    # ---- feeding it ----

    def on_event(self, envelope: dict, fetch: Fetch) -> None:
        """An event from reference.events (a hint: gaps are filled through fetch = events_since)."""
        self.projector.on_event(envelope, fetch)

    def catch_up(self, fetch: Fetch) -> int:
        return self.projector.catch_up(fetch)

    def checkpoint(self) -> int:
        return self.projector.checkpoint()

    def apply(self, event: StoredEvent) -> None:
        if event.type not in E.TYPES:
            return
        kind, item_id = event.data.get("kind"), event.data.get("id")
        if kind not in V.KINDS or not item_id:
            return
        key = f"{kind}/{item_id}"
        current = self._docs.get(self._collection, key)
        if current and (current.get("version") or 0) >= event.stream_version:
            return
        item = fold_apply(current, event.to_dict())
        if item is not None:
            self._docs.put(self._collection, key, item)

    # ---- lookups ----

    def item(self, kind: str, item_id: str) -> dict | None:
        """The item (active or not), or None when unknown."""
        return self._docs.get(self._collection, f"{kind}/{item_id}")

    def is_known(self, kind: str, item_id, active_only: bool = True) -> bool:
        if not isinstance(item_id, str) or not item_id:
            return False
        found = self.item(kind, item_id)
        return bool(found) and (found.get("active") or not active_only)

    def items(self, kind: str, active_only: bool = True, establishment: str | None = None) -> list[dict]:
        """Every item of the kind, by code (a facility's or cost centre's establishment may be given)."""
        where: dict = {"kind": kind}
        if active_only:
            where["active"] = True
        if establishment:
            where["establishment"] = establishment
        return self._docs.find(self._collection, where, order_by=[("code", 1)])

    def region(self, code: str) -> dict | None:
        return self.item(V.REGION, code)

    def region_head_office(self, region: str) -> dict | None:
        """The region's head office: {region, name, address, city, postal_code, latitude, longitude}
        (the FAQ's mileage origin), or None for an unknown region. `region` may be "06" or "06-Montréal"."""
        found = self.region(str(region or "")[:2])
        if not found:
            return None
        return {"region": found["code"], "name": found.get("head_office_name"), "address": found.get("address"),
                "city": found.get("city"), "postal_code": found.get("postal_code"),
                "latitude": found.get("latitude"), "longitude": found.get("longitude")}

    def establishment(self, code: str) -> dict | None:
        return self.item(V.ESTABLISHMENT, code)

    def facility(self, code: str) -> dict | None:
        return self.item(V.FACILITY, code)

    def cost_centre(self, establishment: str, code: str) -> dict | None:
        return self.item(V.COST_CENTRE, V.item_id(V.COST_CENTRE, code, establishment))

    def cost_centre_description(self, establishment: str, code: str) -> str:
        """As the deck shows it: "7301110 - 6710 - BPUE (…) / DQEPE" (code, unit, description, direction)."""
        centre = self.cost_centre(establishment, code)
        if not centre:
            return ""
        unit = self.item(V.ADMIN_UNIT, V.item_id(V.ADMIN_UNIT, centre["admin_unit"], establishment)) \
            if centre.get("admin_unit") else None
        parts = [centre["code"]] + ([unit["code"]] if unit else []) + [centre.get("label_fr") or ""]
        text = " - ".join(p for p in parts if p)
        return f"{text} / {unit['direction']}" if unit and unit.get("direction") else text

    def language(self, code: str) -> dict | None:
        return self.item(V.LANGUAGE, code)

    def find_by_label(self, kind: str, text: str, active_only: bool = True) -> dict | None:
        """The item whose French or English name (or code) is `text`, accents and case aside: for data
        typed before the lists existed ("hongrois" -> the language "hu")."""
        wanted = fold_text(text)
        if not wanted:
            return None
        for item in self.items(kind, active_only):
            if wanted in (fold_text(item.get("label_fr")), fold_text(item.get("label_en")),
                          fold_text(item.get("code"))):
                return item
        return None

    def reasons(self, category: str, active_only: bool = True) -> list[dict]:
        return [r for r in self.items(V.REPORT_REASON, active_only) if r.get("category") == category]

    @staticmethod
    def distance_km(a: dict | None, b: dict | None) -> float | None:
        """Great-circle km between two items with coordinates (None when one lacks them)."""
        return _distance_km(a, b)
