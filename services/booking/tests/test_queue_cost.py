"""What a page of the coordinators' validation queue costs on SQLite: bounded by the queue and the page,
not by the rest of the history (issue 19: 18,773 waiting among 400,000 bookings answered in seconds,
each answer reading every paid booking's document for its status and its flag)."""
from __future__ import annotations

from ims_common.docstore.sqlite import SqliteDocumentStore
from ims_common.stores import open_event_store
from services.booking.app.read_model import BOOKINGS, BookingReadModel
from services.booking.domain.listing import parse_query

from .scenario import COORD, NOW

WAITING = 60
PAD = "x" * 600          # a booking's document is about a kilobyte: reading one is not free


def _doc(n: int, status: str, waiting: bool) -> dict:
    day = f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d}"
    return {"id": f"b{n}", "number": f"HC-{n:07d}", "status": status, "start_at": f"{day}T{n % 10 + 8:02d}:00:00Z",
            "version": 3, "local_date": day, "visible_to": [f"UBIBN{n % 40:04d}"],
            "awaiting_validation": waiting, "notes": PAD}


def _columns_read(docs: SqliteDocumentStore, sql: str, params: list) -> int:
    """How many places of the statement's program read a column of the table itself (its documents),
    rather than of an index: SQLite's own plan says "USING INDEX" for both (an index on expressions
    is never called covering), its program tells them apart."""
    root = docs._conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (f"doc_{BOOKINGS}",)).fetchone()[0]
    program = docs._conn.execute("EXPLAIN " + sql, params).fetchall()
    table_cursors = {op[2] for op in program if op[1] == "OpenRead" and op[3] == root}
    return sum(1 for op in program if op[1] == "Column" and op[2] in table_cursors)


def _page_cost(tmp_path, others: int) -> tuple[int, list[dict], int, int]:
    """(SQLite virtual-machine steps for one page and its total, the page, the total, the columns of
    the table its count reads) of the to-validate queue holding WAITING bookings beside `others` validated (or cancelled
    unpaid) ones."""
    path = tmp_path / f"{others}.sqlite3"
    docs = SqliteDocumentStore(str(path), durable=False)
    events = open_event_store(f"sqlite:///{tmp_path / f'{others}-events.sqlite3'}")
    try:
        model = BookingReadModel(events, docs)
        rows = [(f"w{n}", _doc(n, "cancelled" if n % 5 == 0 else "service_provided", True)) for n in range(WAITING)]
        rows += [(f"o{n}", _doc(WAITING + n, "cancelled" if n % 9 == 0 else "service_provided", False))
                 for n in range(others)]
        docs.put_many(BOOKINGS, rows)
        where, page, per_page, direction = parse_query(COORD, {"queue": "to_validate", "per_page": 20}, NOW)
        assert where is not None
        model.find(where, page, per_page, direction)     # the planner's statistics made first (ANALYZE)
        steps = [0]

        def count():
            steps[0] += 1
            return 0
        docs._conn.set_progress_handler(count, 100)
        items, total = model.find(where, page, per_page, direction)
        docs._conn.set_progress_handler(None, 100)
        clause, params = docs._where(BOOKINGS, where)
        return steps[0] * 100, items, total, _columns_read(docs, f"SELECT COUNT(*) FROM doc_{BOOKINGS}{clause}",
                                                           params)
    finally:
        docs.close()
        events.close()


def test_a_page_of_the_validation_queue_does_not_read_the_rest_of_the_history(tmp_path):
    small, page, total, _ = _page_cost(tmp_path, 1_000)
    large, same_page, same_total, count_reads = _page_cost(tmp_path, 20_000)
    assert total == same_total == WAITING
    expected = sorted((_doc(n, "", True)["start_at"], _doc(n, "", True)["number"]) for n in range(WAITING))[:20]
    assert [(d["start_at"], d["number"]) for d in page] == expected
    assert [d["number"] for d in same_page] == [d["number"] for d in page]
    # Twenty times the history beside the queue: the same work, give or take the index's depth.
    assert large < 1.5 * small, (small, large)
    # Its total counted from the flag's index alone, no booking's document read (18,773 of them at
    # full scale).
    assert count_reads == 0
