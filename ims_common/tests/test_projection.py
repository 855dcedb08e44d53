"""The checkpointed projector applies each event once, in position order, filling gaps from the source."""
from __future__ import annotations

import pytest

from ims_common.envelope import NewEvent
from ims_common.projection import CheckpointedProjector
from ims_common.stores import open_document_store, open_event_store


@pytest.fixture
def source(tmp_path):
    store = open_event_store(f"sqlite:///{tmp_path / 'source.sqlite3'}")
    for i in range(5):
        store.append(f"s-{i % 2}", store.stream_version(f"s-{i % 2}"), [NewEvent("Thing", {"n": i})])
    return store


@pytest.fixture
def docs(tmp_path):
    return open_document_store(f"sqlite:///{tmp_path / 'consumer.sqlite3'}")


def fetch_from(store):
    return lambda position, limit: [e.to_dict() for e in store.read_all(position, limit)]


def test_duplicates_and_gaps(source, docs):
    applied = []
    projector = CheckpointedProjector(docs, "src", lambda e: applied.append(e.position), batch=2)
    events = [e.to_dict() for e in source.read_all(0, 100)]
    projector.on_event(events[0], fetch_from(source))
    projector.on_event(events[0], fetch_from(source))  # redelivered
    assert applied == [1]
    projector.on_event(events[3], fetch_from(source))  # 2 and 3 were lost: fetched from the source
    assert applied == [1, 2, 3, 4, 5]
    projector.on_event(events[4], fetch_from(source))
    assert applied == [1, 2, 3, 4, 5] and projector.checkpoint() == 5


def test_a_failing_apply_keeps_the_event_for_the_next_catch_up(source, docs):
    applied, fail = [], {3}

    def apply(event):
        if event.position in fail:
            raise RuntimeError("transient")
        applied.append(event.position)

    projector = CheckpointedProjector(docs, "src", apply)
    with pytest.raises(RuntimeError):
        projector.catch_up(fetch_from(source))
    assert applied == [1, 2] and projector.checkpoint() == 2
    fail.clear()
    assert projector.catch_up(fetch_from(source)) == 3
    assert applied == [1, 2, 3, 4, 5]


def test_checkpoint_survives_a_restart(source, docs, tmp_path):
    CheckpointedProjector(docs, "src", lambda e: None).catch_up(fetch_from(source))
    reopened = open_document_store(f"sqlite:///{tmp_path / 'consumer.sqlite3'}")
    applied = []
    again = CheckpointedProjector(reopened, "src", lambda e: applied.append(e.position))
    assert again.checkpoint() == 5
    assert again.catch_up(fetch_from(source)) == 0 and applied == []
