"""The event store contract, run on every adapter (see conftest.py)."""
from __future__ import annotations

import threading

import pytest

from ims_common.envelope import NewEvent
from ims_common.eventstore.port import ConcurrencyError
from ims_common.stores import open_event_store


def ev(type_="Thing", **data):
    return NewEvent(type_, data)


def positions(store):
    return [e.position for e in store.read_all(0, 10_000)]


def test_an_empty_store(event_store):
    assert event_store.last_position() == 0
    assert event_store.stream_version("s") == 0
    assert event_store.load_stream("s") == []
    assert event_store.read_all() == []
    assert event_store.unpublished() == []


def test_append_gives_versions_and_positions(event_store):
    first = event_store.append("a", 0, [ev(n=1), ev(n=2)])
    second = event_store.append("b", 0, [ev(n=3)])
    third = event_store.append("a", 2, [ev(n=4)])
    assert [(e.stream_id, e.stream_version, e.position) for e in first + second + third] == [
        ("a", 1, 1), ("a", 2, 2), ("b", 1, 3), ("a", 3, 4)]
    assert [e.data["n"] for e in event_store.load_stream("a")] == [1, 2, 4]
    assert event_store.stream_version("a") == 3 and event_store.stream_version("b") == 1
    assert event_store.last_position() == 4
    assert event_store.load_stream("a") == first + third


def test_the_envelope_round_trips(event_store, store_url):
    new = NewEvent(
        type="BookingCreated", schema_version=2,
        data={"langue": "Français → Arménien 日本語", "nested": {"list": [1, 2.5, None, True, {"x": "é"}],
                                                                    "empty": {}}, "n": 0},
        actor={"user_id": "UBICB0001", "role": "coordinator"},
        correlation_id="corr-1", causation_id="cause-1")
    stored, = event_store.append("booking-HC-1", 0, [new])
    expected = {"event_id": new.event_id, "type": "BookingCreated", "schema_version": 2,
                "stream_id": "booking-HC-1", "stream_version": 1, "position": 1,
                "occurred_at": new.occurred_at, "actor": new.actor, "correlation_id": "corr-1",
                "causation_id": "cause-1", "data": new.data}
    assert stored.to_dict() == expected
    assert event_store.load_stream("booking-HC-1")[0].to_dict() == expected
    assert event_store.read_all()[0].to_dict() == expected
    assert event_store.unpublished()[0].to_dict() == expected
    reopened = open_event_store(store_url)  # what another process on the same store would read
    try:
        assert reopened.read_all()[0].to_dict() == expected
    finally:
        reopened.close()


def test_optional_envelope_fields_stay_none(event_store):
    stored, = event_store.append("s", 0, [ev()])
    loaded, = event_store.load_stream("s")
    assert loaded.correlation_id is None and loaded.causation_id is None and loaded.actor == {}
    assert loaded == stored


def test_a_conflicting_append_writes_nothing(event_store):
    event_store.append("s", 0, [ev(n=1)])
    with pytest.raises(ConcurrencyError) as raised:
        event_store.append("s", 0, [ev(n=2), ev(n=3)])
    assert (raised.value.stream_id, raised.value.expected_version, raised.value.actual_version) == ("s", 0, 1)
    with pytest.raises(ConcurrencyError):
        event_store.append("s", 5, [ev(n=4)])
    assert [e.data["n"] for e in event_store.load_stream("s")] == [1]
    assert event_store.last_position() == 1 and event_store.unpublished()[-1].position == 1
    # No position was consumed: the next event follows without a gap.
    assert event_store.append("t", 0, [ev(n=5)])[0].position == 2
    assert positions(event_store) == [1, 2]


def test_an_append_failing_part_way_leaves_nothing(event_store):
    taken, = event_store.append("s", 0, [ev(n=1)])
    clash = NewEvent("Thing", {"n": 3}, event_id=taken.event_id)  # the second event cannot be stored
    with pytest.raises(ValueError):
        event_store.append("t", 0, [ev(n=2), clash])
    assert event_store.load_stream("t") == [] and event_store.stream_version("t") == 0
    assert event_store.load_stream("s") == [taken]
    assert event_store.append("t", 0, [ev(n=4)])[0].position == 2
    assert positions(event_store) == [1, 2]


def test_append_many_is_one_append_of_several_streams(event_store):
    event_store.append("a", 0, [ev(n=1)])
    stored = event_store.append_many([("a", 1, [ev(n=2)]), ("b", 0, [ev(n=3), ev(n=4)]), ("a", 2, [ev(n=5)]),
                                      ("c", 0, [])])
    assert [[(e.stream_id, e.stream_version, e.position, e.data["n"]) for e in part] for part in stored] == [
        [("a", 2, 2, 2)], [("b", 1, 3, 3), ("b", 2, 4, 4)], [("a", 3, 5, 5)], []]
    assert [e.data["n"] for e in event_store.load_stream("a")] == [1, 2, 5]
    assert event_store.read_all(1) == [stored[0][0], *stored[1], stored[2][0]]
    assert [e.position for e in event_store.unpublished()] == [1, 2, 3, 4, 5]
    assert event_store.append_many([]) == []


@pytest.mark.parametrize("bad", [
    [("a", 1, [ev(n=2)]), ("b", 1, [ev(n=3)])],          # b is new: expected 0
    [("b", 0, [ev(n=2)]), ("b", 0, [ev(n=3)])],          # b's second entry must expect 1
    [("b", 0, [ev(n=2)]), ("a", 0, [ev(n=3)])],          # a is at 1
])
def test_append_many_with_one_conflict_writes_nothing(event_store, bad):
    event_store.append("a", 0, [ev(n=1)])
    with pytest.raises(ConcurrencyError):
        event_store.append_many(bad)
    assert positions(event_store) == [1] and event_store.stream_version("b") == 0
    assert event_store.append("b", 0, [ev(n=4)])[0].position == 2   # no position was consumed


def test_append_many_failing_part_way_leaves_nothing(event_store):
    taken, = event_store.append("s", 0, [ev(n=1)])
    clash = NewEvent("Thing", {"n": 3}, event_id=taken.event_id)
    with pytest.raises(ValueError):
        event_store.append_many([("t", 0, [ev(n=2)]), ("u", 0, [clash])])
    assert event_store.load_stream("t") == [] and positions(event_store) == [1]
    with pytest.raises(ValueError):
        event_store.append_many([("t", -1, [ev(n=2)])])
    assert event_store.append("t", 0, [ev(n=4)])[0].position == 2


def test_an_empty_append_checks_the_version_only(event_store):
    assert event_store.append("s", 0, []) == []
    with pytest.raises(ConcurrencyError):
        event_store.append("s", 1, [])
    assert event_store.last_position() == 0


@pytest.mark.parametrize("stream_id, expected", [("", 0), ("s", -1), ("s", "0"), ("s", True), (None, 0)])
def test_bad_append_arguments_are_refused(event_store, stream_id, expected):
    with pytest.raises(ValueError):
        event_store.append(stream_id, expected, [ev()])
    assert event_store.last_position() == 0


def test_ten_concurrent_appends_at_the_same_version_one_wins(event_store, store_url):
    event_store.append("s", 0, [ev(n=0)])
    others = [open_event_store(store_url) for _ in range(2)]  # several connections on one store too
    stores = [event_store] + others
    barrier = threading.Barrier(10)
    outcomes: dict[int, object] = {}

    def attempt(i):
        barrier.wait()
        try:
            outcomes[i] = stores[i % 3].append("s", 1, [ev(writer=i, k=1), ev(writer=i, k=2)])
        except ConcurrencyError as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for store in others:
        store.close()
    winners = [i for i, o in outcomes.items() if isinstance(o, list)]
    assert len(outcomes) == 10 and len(winners) == 1
    assert all(isinstance(o, ConcurrencyError) for i, o in outcomes.items() if i != winners[0])
    stream = event_store.load_stream("s")
    assert [(e.stream_version, e.data.get("writer")) for e in stream] == [
        (1, None), (2, winners[0]), (3, winners[0])]
    assert positions(event_store) == [1, 2, 3]


def test_concurrent_appends_to_many_streams_leave_no_gap(event_store):
    def writer(i):
        for n in range(5):
            event_store.append(f"s{i}", n, [ev(n=n)])

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert positions(event_store) == list(range(1, 41))
    for i in range(8):
        assert [e.stream_version for e in event_store.load_stream(f"s{i}")] == [1, 2, 3, 4, 5]


def test_read_all_pages_in_position_order(event_store):
    for i in range(7):
        event_store.append(f"s{i % 3}", event_store.stream_version(f"s{i % 3}"), [ev(n=i)])
    assert [e.data["n"] for e in event_store.read_all()] == list(range(7))
    assert [e.position for e in event_store.read_all(2, 3)] == [3, 4, 5]
    assert [e.position for e in event_store.read_all(5, 100)] == [6, 7]
    assert event_store.read_all(7) == [] and event_store.read_all(0, 0) == []


def test_the_outbox(event_store):
    for i in range(5):
        event_store.append("s", i, [ev(n=i)])
    assert [e.position for e in event_store.unpublished()] == [1, 2, 3, 4, 5]
    assert [e.position for e in event_store.unpublished(2)] == [1, 2]
    event_store.mark_published([1, 2])
    event_store.mark_published([])
    assert [e.position for e in event_store.unpublished()] == [3, 4, 5]
    event_store.mark_published([4])
    assert [e.position for e in event_store.unpublished()] == [3, 5]
    event_store.mark_published([3, 4, 5])  # marking twice is harmless
    assert event_store.unpublished() == []
    assert len(event_store.read_all()) == 5  # publishing changes nothing else


def test_a_reopened_store_continues(event_store, store_url):
    event_store.append("s", 0, [ev(n=1), ev(n=2)])
    event_store.mark_published([1])
    reopened = open_event_store(store_url)
    try:
        assert reopened.stream_version("s") == 2 and reopened.last_position() == 2
        assert [e.position for e in reopened.unpublished()] == [2]
        assert reopened.append("s", 2, [ev(n=3)])[0].position == 3
    finally:
        reopened.close()
