"""A poison event (apply keeps failing) is retried a few times, then parked with its error and skipped:
it is neither lost nor blocking the events after it."""
from __future__ import annotations

import pytest

from ims_common.envelope import NewEvent
from ims_common.projection import CheckpointedProjector, parked_count, parked_events
from ims_common.stores import open_document_store, open_event_store


@pytest.fixture
def source(tmp_path):
    store = open_event_store(f"sqlite:///{tmp_path / 'source.sqlite3'}")
    for i in range(5):
        store.append(f"s-{i}", 0, [NewEvent("Thing", {"n": i})])
    return store


def fetch_from(store):
    return lambda position, limit: [e.to_dict() for e in store.read_all(position, limit)]


def test_a_poison_event_is_parked_after_max_attempts_and_the_others_go_on(source, tmp_path):
    docs = open_document_store(f"sqlite:///{tmp_path / 'consumer.sqlite3'}")
    applied = []

    def apply(event):
        if event.data["n"] == 2:
            raise ValueError("cannot price this")
        applied.append(event.position)

    projector = CheckpointedProjector(docs, "src", apply, max_attempts=3)
    for _ in range(2):  # attempts 1 and 2: the error propagates, the checkpoint waits
        with pytest.raises(ValueError):
            projector.catch_up(fetch_from(source))
        assert projector.checkpoint() == 2 and projector.parked() == []
    assert projector.catch_up(fetch_from(source)) == 3  # attempt 3: parked, then 4 and 5
    assert applied == [1, 2, 4, 5] and projector.checkpoint() == 5
    [parked] = projector.parked()
    assert parked["position"] == 3 and parked["stream_id"] == "s-2" and parked["attempts"] == 3
    assert parked["type"] == "Thing" and "ValueError: cannot price this" in parked["error"]
    # Parked survives a restart, and a live redelivery of the parked event changes nothing.
    again = CheckpointedProjector(open_document_store(f"sqlite:///{tmp_path / 'consumer.sqlite3'}"),
                                  "src", apply, max_attempts=3)
    again.on_event(source.read_all(2, 1)[0].to_dict(), fetch_from(source))
    assert [p["event_id"] for p in again.parked()] == [parked["event_id"]] and applied == [1, 2, 4, 5]


def test_a_transient_failure_below_max_attempts_is_not_parked(source, tmp_path):
    docs = open_document_store(f"sqlite:///{tmp_path / 'consumer.sqlite3'}")
    fail = {3}
    applied = []

    def apply(event):
        if event.position in fail:
            fail.discard(event.position)
            raise RuntimeError("transient")
        applied.append(event.position)

    projector = CheckpointedProjector(docs, "src", apply, max_attempts=2)
    with pytest.raises(RuntimeError):
        projector.catch_up(fetch_from(source))
    projector.catch_up(fetch_from(source))
    assert applied == [1, 2, 3, 4, 5] and projector.parked() == []


def test_parked_events_are_per_projector(source, tmp_path):
    docs = open_document_store(f"sqlite:///{tmp_path / 'consumer.sqlite3'}")

    def bad(event):
        raise RuntimeError("always")

    CheckpointedProjector(docs, "a", bad, max_attempts=1).catch_up(fetch_from(source))
    assert len(CheckpointedProjector(docs, "a", bad).parked()) == 5
    assert CheckpointedProjector(docs, "b", bad).parked() == []


def test_a_parked_event_is_applied_again_once_asked_after_the_fix(source, tmp_path):
    docs = open_document_store(f"sqlite:///{tmp_path / 'consumer.sqlite3'}")
    broken, applied = {2, 4}, []

    def apply(event):
        if event.data["n"] in broken:
            raise KeyError(f"no rate for {event.data['n']}")
        applied.append(event.position)

    projector = CheckpointedProjector(docs, "src", apply, max_attempts=1)
    projector.catch_up(fetch_from(source))
    assert applied == [1, 2, 4] and [p["position"] for p in parked_events(docs)] == [3, 5]
    assert parked_count(docs) == 2
    projector.catch_up(fetch_from(source))                   # not asked: they stay parked
    assert applied == [1, 2, 4]
    broken.discard(2)                                        # the fix for one of them
    assert projector.request_retry() == 2
    assert projector.catch_up(fetch_from(source)) == 1
    assert applied == [1, 2, 4, 3] and projector.checkpoint() == 5
    [still] = projector.parked()
    assert still["position"] == 5 and still["attempts"] == 2 and not still["retry"]
    assert "KeyError" in still["error"]
    broken.clear()
    assert projector.request_retry(position=4) == 0 and projector.request_retry(position=5) == 1
    projector.catch_up(fetch_from(source))
    assert applied == [1, 2, 4, 3, 5] and parked_events(docs) == []
