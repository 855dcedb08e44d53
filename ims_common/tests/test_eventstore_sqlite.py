"""What only the SQLite event store does (the contract: test_eventstore_contract.py)."""
from __future__ import annotations

from ims_common.envelope import NewEvent
from ims_common.stores import open_event_store


def ev(**data):
    return NewEvent("Thing", data)


def test_sqlite_reads_what_only_the_standard_json_reads(tmp_path):
    """Reads decode with a faster parser when it is installed; what it refuses (NaN, integers past
    64 bits, both written by the standard library) still reads back."""
    store = open_event_store(f"sqlite:///{tmp_path / 'events.sqlite3'}")
    try:
        store.append("s", 0, [ev(big=2 ** 70, small=-2 ** 63, f=0.1, text="é\u2028")])
        store.append("t", 0, [ev(nan=float("nan"))])
        first, second = store.read_all()
        assert first.data == {"big": 2 ** 70, "small": -2 ** 63, "f": 0.1, "text": "é\u2028"}
        assert second.data["nan"] != second.data["nan"]
    finally:
        store.close()
