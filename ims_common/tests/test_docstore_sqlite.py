"""What only the SQLite document store does (the contract: test_docstore_contract.py): its
batches, its expression indexes, and the member tables that index list fields (MongoDB's multikey
index), so `contains` is an index lookup instead of reading every document's list."""
from __future__ import annotations

import pytest

from ims_common.docstore.sqlite import SqliteDocumentStore, where_sql
from ims_common.stores import open_document_store

DOCS = {
    "a": {"n": 1, "tags": ["fr", "en", 1, True, None]},
    "b": {"n": 2, "tags": ["en"]},
    "c": {"n": 3, "tags": "fr"},                # no list: never contains
    "d": {"n": 4, "tags": {"fr": 1}},           # an object neither
    "e": {"n": 5},
}


def test_a_failed_sqlite_batch_writes_nothing(tmp_path):
    store = SqliteDocumentStore(str(tmp_path / "docs.sqlite3"))
    try:
        store.put("things", "a", {"v": 1})
        with pytest.raises(RuntimeError):
            with store.batch():
                store.put("things", "a", {"v": 2})
                store.put("things", "b", {"v": 3})
                raise RuntimeError("stop")
        assert store.find("things") == [{"v": 1}]
    finally:
        store.close()


def test_sqlite_queries_use_the_expression_index(tmp_path):
    store = SqliteDocumentStore(str(tmp_path / "x.sqlite3"))
    store.ensure_index("people", ["address.city"])
    plan = store._conn.execute(
        "EXPLAIN QUERY PLAN SELECT doc FROM doc_people WHERE "
        "(json_extract(doc, '$.address.city') = ? AND json_type(doc, '$.address.city') IN ('text'))",
        ("x",)).fetchall()
    assert "USING INDEX" in " ".join(str(row) for row in plan)
    store.close()


def test_sqlite_member_table_is_kept_by_every_connection(tmp_path):
    path = str(tmp_path / "x.sqlite3")
    indexed = SqliteDocumentStore(path)
    indexed.ensure_index("things", ["tags"])
    other = open_document_store(f"sqlite:///{path}")   # knows nothing of the index: still kept
    other.put_many("things", DOCS.items())
    other.delete("things", "b")
    assert sorted(d["n"] for d in indexed.find("things", {"tags": {"contains": "en"}})) == [1]
    other.put("things", "g", {"n": 7, "tags": ["en"]})   # after the member table was made
    other.put("things", "a", {"n": 1, "tags": ["fr"]})
    assert sorted(d["n"] for d in indexed.find("things", {"tags": {"contains": "en"}})) == [7]
    clause, params = indexed._where("things", {"tags": {"contains": "en"}})
    plan = " ".join(r[3] for r in indexed._conn.execute(
        "EXPLAIN QUERY PLAN SELECT doc FROM doc_things" + clause, params).fetchall())
    assert "json_each" not in plan and "USING" in plan and "mk_doc_things_" in plan
    assert "json_each" in where_sql({"tags": {"contains": "en"}})[0]   # without the index: a scan


def test_sqlite_kind_checks_are_read_from_the_index(tmp_path):
    store = SqliteDocumentStore(str(tmp_path / "x.sqlite3"))
    store.ensure_index("things", ["day"])
    store.put_many("things", ((f"k{i}", {"day": f"2026-01-{i % 28 + 1:02d}", "pad": "x" * 500})
                              for i in range(200)))
    store.put("things", "odd", {"day": ["2026-01-05"]})   # a list's text never matches a date range
    clause, params = store._where("things", {"day": {"gte": "2026-01-01", "lte": "2026-01-10"}})
    plan = " ".join(r[3] for r in store._conn.execute(
        "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM doc_things" + clause, params).fetchall())
    assert "USING INDEX ix3_doc_things_" in plan
    expected = sum(1 for i in range(200) if i % 28 < 10)
    assert store.count("things", {"day": {"gte": "2026-01-01", "lte": "2026-01-10"}}) == expected


def test_sqlite_boolean_equality_seeks_the_index(tmp_path):
    """A flag's term names its value, not only its JSON type: the index on the flag leads with the
    value, so only the flagged rows are visited (issue 19: the validation queue's flag was read from
    every paid booking's document)."""
    store = SqliteDocumentStore(str(tmp_path / "x.sqlite3"))
    store.ensure_index("things", ["flag", "day"])
    store.put_many("things", ((f"k{i}", {"flag": i % 50 == 0, "day": f"2026-01-{i % 28 + 1:02d}"})
                              for i in range(2000)))
    store.put("things", "one", {"flag": 1})          # a number is not true
    for value, expected in ((True, 40), (False, 1960)):
        assert store.count("things", {"flag": value}) == expected
        clause, params = store._where("things", {"flag": value})
        plan = " ".join(r[3] for r in store._conn.execute(
            "EXPLAIN QUERY PLAN SELECT doc FROM doc_things" + clause + " ORDER BY json_extract(doc, '$.day')",
            params).fetchall())
        assert "SEARCH doc_things USING INDEX ix3_doc_things_" in plan and "TEMP B-TREE" not in plan, plan
    assert store.count("things", {"flag": {"ne": True}}) == 1961
    store.close()


def test_sqlite_lists_and_dates_answer_from_indexes(tmp_path):
    """A list member and a date range together: answered from the indexes (with the statistics the
    store keeps fresh), never by reading each document's list."""
    store = SqliteDocumentStore(str(tmp_path / "x.sqlite3"))
    store.ensure_index("things", ["day"])
    store.ensure_index("things", ["who"])
    store.put_many("things", ((f"k{i}", {"day": f"2026-01-{i % 28 + 1:02d}", "who": [f"u{i % 500}", "all"]})
                              for i in range(3000)))
    for where, expected in (
            ({"who": {"contains": "u7"}, "day": {"gte": "2026-01-01", "lte": "2026-01-20"}},
             sum(1 for i in range(3000) if i % 500 == 7 and i % 28 < 20)),
            ({"who": {"contains": "all"}, "day": {"gte": "2026-01-05", "lte": "2026-01-05"}},
             sum(1 for i in range(3000) if i % 28 == 4))):
        assert store.count("things", where) == expected
        clause, params = store._where("things", where)
        plan = " ".join(r[3] for r in store._conn.execute(
            "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM doc_things" + clause, params).fetchall())
        assert "json_each" not in plan and "SCAN" not in plan
    assert store._conn.execute("SELECT COUNT(*) FROM sqlite_stat1").fetchone()[0] > 0
