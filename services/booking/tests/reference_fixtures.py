"""The bank's default reference data, as the booking service's copy receives it: the reference
service's own app loads its default set into a store of its own, and its events feed the booking
app's copy through events_since (what the nameko timer does)."""
from __future__ import annotations

import functools
import uuid

from ims_common.stores import open_document_store, open_event_store
from services.reference import bootstrap as reference_bootstrap

ADMIN = {"user_id": "UADM0001", "role": "admin", "name": "Ada Admin"}


class _Stores:
    def __init__(self, url: str):
        self.event_store = open_event_store(url)
        self.doc_store = open_document_store(url)


@functools.lru_cache(maxsize=1)
def default_events() -> tuple:
    """Every event of the default set (loaded once per test run)."""
    ref = reference_bootstrap.build(_Stores(f"mongomock://reference_{uuid.uuid4().hex[:10]}"), load_defaults=True)
    events, position = [], 0
    while page := ref.events_since(position, 500):
        events.extend(page)
        position = page[-1]["position"]
    return tuple(events)


def fetch_from(events):
    def fetch(position: int, limit: int) -> list[dict]:
        return [e for e in events if e["position"] > position][:limit]
    return fetch


def load_reference(app, extra: list[dict] | None = None) -> None:
    """The booking app's copy caught up with the default set (and `extra` events after it)."""
    events = list(default_events()) + list(extra or [])
    with app.docs.batch():       # one commit for the few hundred items
        app.reference.catch_up(fetch_from(events))


def reference_event(position: int, kind: str, item_id: str, event_type: str, data: dict, version: int) -> dict:
    """One more reference event (a deactivation, a new item) after the default set."""
    return {"event_id": str(uuid.uuid4()), "type": event_type, "schema_version": 1,
            "stream_id": f"reference-{kind}-{item_id}", "stream_version": version, "position": position,
            "occurred_at": "2024-08-27T14:00:00Z", "actor": {"user_id": ADMIN["user_id"], "role": "admin"},
            "correlation_id": None, "causation_id": None, "data": {"kind": kind, "id": item_id, **data}}
