"""The benchmark history: lived through the booking domain, appended through the event store, every
event type, streams whole and in order, and a rebuilt read model that is each stream's fold."""
from __future__ import annotations

from ims_common.nameko_ext import Stores
from services.booking.domain import events as ev
from services.booking.app.read_model import BOOKINGS, document

from bench.generate import generate


def test_a_small_history(tmp_path):
    made = generate(tmp_path, bookings=300, days=6)
    assert made["bookings"] == 300 and 2400 < made["events"] < 3600
    stores = Stores(f"sqlite:///{tmp_path / 'booking.sqlite3'}")
    try:
        events = stores.event_store.read_all(0, 10_000)
        assert [e.position for e in events] == list(range(1, len(events) + 1))
        assert {e.type for e in events} == set(ev.TYPES)
        assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)  # time order
        streams: dict[str, list] = {}
        for e in events:
            streams.setdefault(e.stream_id, []).append(e)
        assert len(streams) == 300
        docs = {d["id"]: d for d in stores.doc_store.find(BOOKINGS)}
        for stream in streams.values():
            assert [e.stream_version for e in stream] == list(range(1, len(stream) + 1))
            state = ev.fold(stream)
            assert docs[state["id"]] == document(state)
    finally:
        stores.close()
