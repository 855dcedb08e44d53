"""The reference service's use cases over its stores: reading the lists, saving, deactivating and
reactivating an item, an item's history, the events for consumers.

Each item is one event stream (the source of truth); the read model ("reference_items", one document
per item with its folded search text) follows the events through a checkpointed projector over this
service's own event store, brought up to date after each append and at start."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable, Optional

from ims_common.envelope import NewEvent
from ims_common.errors import Conflict, Forbidden, NotFound
from ims_common.eventstore.port import ConcurrencyError
from ims_common.projection import CheckpointedProjector, parked_count
from ims_common.times import iso_z, utc_now
from ims_common.validation import invalid
from services.reference.contract import events as E
from services.reference.contract import vocabulary as V
from services.reference.contract.fold import actor_summary, apply, fold
from services.reference.domain import decide as D
from services.reference.domain.search import check_query, search_text, select, where_of

log = logging.getLogger(__name__)

ITEMS = "reference_items"
READ_MODEL = "reference.items"
MAX_EVENTS_PAGE = 1000


class ReferenceApp:
    def __init__(self, event_store, doc_store, clock: Optional[Callable[[], datetime]] = None):
        self.events = event_store
        self.docs = doc_store
        self.clock = clock or utc_now
        for fields in (["kind", "active"], ["kind", "establishment"]):
            doc_store.ensure_index(ITEMS, fields)
        self.read_model = CheckpointedProjector(doc_store, READ_MODEL, self._project)

    # ---- the read model ----------------------------------------------------------------------

    def _project(self, event) -> None:
        kind, item_id = event.data.get("kind"), event.data.get("id")
        if kind not in V.KINDS or not item_id:
            return
        key = f"{kind}/{item_id}"
        current = self.docs.get(ITEMS, key)
        if current and current.get("version", 0) >= event.stream_version:
            return
        item = apply(current, event.to_dict())
        if item is not None:
            item["search"] = search_text(item)
            self.docs.put(ITEMS, key, item)

    def catch_up(self) -> int:
        """Brings the read model up to the newest event (at start, and after each append)."""
        with self.docs.batch():
            return self.read_model.catch_up(lambda position, limit: self.events_since(position, limit))

    def rebuild(self) -> int:
        """Drops the read model and folds every event again (the CLI's `rebuild`)."""
        self.docs.drop(ITEMS)
        self.read_model.reset()
        return self.catch_up()

    def lookup(self, kind: str, item_id: str) -> dict | None:
        item = self.docs.get(ITEMS, f"{kind}/{item_id}")
        if item is not None:
            item.pop("search", None)
        return item

    def state(self, kind: str, item_id: str) -> dict | None:
        """The item folded from its own stream (what commands decide on)."""
        if not isinstance(item_id, str) or not item_id or len(item_id) > 100:
            return None
        return fold(e.to_dict() for e in self.events.load_stream(E.stream_id(kind, item_id)))

    # ---- reads -------------------------------------------------------------------------------

    def list_items(self, actor: dict, kind: str, query: dict | None = None) -> dict:
        D.check_kind(kind)
        checked = check_query(kind, query or {})
        return select(self.docs.find(ITEMS, where_of(kind, checked)), checked)

    def get_item(self, actor: dict, kind: str, item_id: str) -> dict:
        D.check_kind(kind)
        item = self.lookup(kind, item_id) if isinstance(item_id, str) else None
        if item is None:
            raise NotFound("reference.not_found")
        return item

    def item_history(self, actor: dict, kind: str, item_id: str) -> dict:
        """The item and each of its versions: when, by whom, what (the fields changed, before and after)."""
        if (actor or {}).get("role") not in D.HISTORY_ROLES:
            raise Forbidden("reference.forbidden")
        item = self.get_item(actor, kind, item_id)
        history = []
        for event in self.events.load_stream(E.stream_id(kind, item_id)):
            data = E.upcast(event.to_dict())["data"]
            entry = {"version": event.stream_version, "type": event.type, "at": event.occurred_at,
                     "by": actor_summary(event.actor), "changes": {}, "reason": None}
            if event.type == E.CREATED:
                entry["changes"] = {k: [None, val] for k, val in (data.get("item") or {}).items() if val is not None}
            elif event.type == E.CHANGED:
                entry["changes"] = data.get("changes") or {}
            elif event.type == E.DEACTIVATED:
                entry["reason"] = data.get("reason")
            history.append(entry)
        return {"item": item, "history": history}

    def events_since(self, position, limit=500) -> list[dict]:
        for name, value in (("position", position), ("limit", limit)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise invalid({name: ["field.not_an_integer"]})
        limit = max(1, min(limit, MAX_EVENTS_PAGE))
        return [e.to_dict() for e in self.events.read_all(position, limit)]

    def health(self) -> dict:
        return {"service": "reference", "ok": True, "last_position": self.events.last_position(),
                "checkpoint": self.read_model.checkpoint(), "parked": parked_count(self.docs)}

    # ---- commands ----------------------------------------------------------------------------

    def create_item(self, actor: dict, kind: str, fields: dict) -> dict:
        D.check_kind(kind)
        D.authorize(actor, D.CREATE)
        item_id, decided = D.decide_create(kind, fields, self.lookup)
        self.append(actor, [(kind, item_id, 0, decided)])
        return self.lookup(kind, item_id)

    def change_item(self, actor: dict, kind: str, item_id: str, fields: dict) -> dict:
        D.check_kind(kind)
        D.authorize(actor, D.CHANGE)
        fields = dict(fields) if isinstance(fields, dict) else fields
        expected = fields.pop("version", None) if isinstance(fields, dict) else None
        if expected is not None and (isinstance(expected, bool) or not isinstance(expected, int)):
            raise invalid({"version": ["field.not_an_integer"]})
        state = self.state(kind, item_id)
        decided = D.decide_change(kind, state, fields, self.lookup, expected)
        if decided:
            self.append(actor, [(kind, item_id, state["version"], decided)])
        return self.lookup(kind, item_id)

    def deactivate_item(self, actor: dict, kind: str, item_id: str, reason=None) -> dict:
        D.check_kind(kind)
        D.authorize(actor, D.DEACTIVATE)
        state = self.state(kind, item_id)
        self.append(actor, [(kind, item_id, (state or {}).get("version", 0), D.decide_deactivate(state, reason))])
        return self.lookup(kind, item_id)

    def reactivate_item(self, actor: dict, kind: str, item_id: str) -> dict:
        D.check_kind(kind)
        D.authorize(actor, D.REACTIVATE)
        state = self.state(kind, item_id)
        self.append(actor, [(kind, item_id, (state or {}).get("version", 0), D.decide_reactivate(state))])
        return self.lookup(kind, item_id)

    def append(self, actor: dict, decisions: list[tuple[str, str, int, list[tuple[str, dict]]]]) -> None:
        """Appends each item's decided events at the version it was decided on, all or nothing, then
        brings the read model up to date."""
        who = actor_summary(actor)
        at = iso_z(self.clock(), "microseconds")
        appends = [(E.stream_id(kind, item_id), version,
                    [NewEvent(type=t, data=data, schema_version=E.current_version(t), actor=who, occurred_at=at,
                              correlation_id=(actor or {}).get("correlation_id"))
                     for t, data in decided])
                   for kind, item_id, version, decided in decisions if decided]
        if not appends:
            return
        try:
            if len(appends) == 1:
                self.events.append(*appends[0])
            else:
                self.events.append_many(appends)
        except ConcurrencyError as exc:
            raise Conflict("reference.version_conflict", {"actual": exc.actual_version}) from None
        self.catch_up()

    # ---- imports -----------------------------------------------------------------------------

    def import_csv(self, actor: dict, kind: str, payload) -> dict:
        from services.reference.app.importing import import_csv
        return import_csv(self, actor, kind, payload)

    def load_defaults(self, files: list[tuple[str, str]]) -> dict:
        """Loads the bank's default set (adapters/default_set.py: [(kind, CSV text)], in dependency
        order), adding only what does not exist yet: a second start adds nothing."""
        from services.reference.app.importing import import_text
        added = {}
        for kind, text in files:
            report = import_text(self, E.DEFAULTS_ACTOR, kind, text, only_new=True)
            if report["refused"]:
                log.error("default %s rows refused: %s", kind, report["refused"])
            added[kind] = report["counts"]["added"]
        return added
