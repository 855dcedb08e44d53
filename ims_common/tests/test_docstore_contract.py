"""The document store contract, run on every adapter (see conftest.py): the query language of
docstore/port.py, exactly, and nothing a caller could turn into a database operator."""
from __future__ import annotations

import pytest

from ims_common.docstore.port import DuplicateKeyError
from ims_common.stores import open_document_store

PEOPLE = {
    "ana": {"name": "Ana", "age": 31, "score": 4.5, "active": True, "tags": ["fr", "en"],
            "address": {"city": "Montréal", "zip": "H2X"}, "note": None},
    "bob": {"name": "Bob", "age": 45, "score": 3.0, "active": False, "tags": ["en"],
            "address": {"city": "Laval", "zip": "H7A"}},
    "chloé": {"name": "Chloé", "age": 31, "score": 5, "active": True, "tags": [],
              "address": {"city": "Montréal", "zip": "H3B"}, "note": "vip"},
    "dan": {"name": "Dan", "age": 1, "score": 1, "active": 1, "tags": "fr",
            "address": {"city": "Québec"}},
}


@pytest.fixture
def people(doc_store):
    for key, doc in PEOPLE.items():
        doc_store.put("people", key, doc)
    return doc_store


def names(docs):
    return [d["name"] for d in docs]


def query(store, where, **kw):
    return sorted(names(store.find("people", where, **kw)))


def test_get_put_insert_delete(doc_store):
    assert doc_store.get("things", "k") is None
    doc_store.put("things", "k", {"v": 1})
    doc_store.put("things", "k", {"v": 2, "w": "é"})  # replaces
    assert doc_store.get("things", "k") == {"v": 2, "w": "é"}
    with pytest.raises(DuplicateKeyError):
        doc_store.insert("things", "k", {"v": 3})
    assert doc_store.get("things", "k") == {"v": 2, "w": "é"}
    doc_store.insert("things", "k2", {"v": 4})
    assert doc_store.count("things") == 2
    doc_store.delete("things", "k")
    doc_store.delete("things", "absent")
    assert doc_store.get("things", "k") is None and doc_store.count("things") == 1
    assert doc_store.get("other", "k2") is None  # collections are apart


def test_put_many(doc_store):
    doc_store.put("things", "a", {"v": 0})
    doc_store.put_many("things", [("a", {"v": 1}), ("b", {"v": 2, "l": ["é"]}), ("b", {"v": 3})])
    assert doc_store.get("things", "a") == {"v": 1} and doc_store.get("things", "b") == {"v": 3}
    doc_store.put_many("things", iter([]))
    doc_store.put_many("things", ((k, {"v": n}) for n, k in enumerate("cde")))
    assert doc_store.count("things") == 5 and doc_store.get("things", "e") == {"v": 2}


@pytest.mark.parametrize("bad", [("", {"v": 1}), ("k", {"_id": 1}), ("k", "no"), ("k", {"f": float("nan")})])
def test_put_many_with_a_bad_item_writes_nothing(doc_store, bad):
    with pytest.raises(ValueError):
        doc_store.put_many("things", [("a", {"v": 1}), bad])
    assert doc_store.count("things") == 0


def test_writes_in_a_batch(doc_store, store_url):
    with doc_store.batch():
        doc_store.put("things", "a", {"v": 1})
        with doc_store.batch():                    # nested: part of the outer one
            doc_store.put_many("things", [("b", {"v": 2})])
            doc_store.insert("things", "c", {"v": 3})
        with pytest.raises(DuplicateKeyError):     # a refused write leaves the batch going on
            doc_store.insert("things", "c", {"v": 4})
        doc_store.delete("things", "a")
        assert doc_store.get("things", "b") == {"v": 2} and doc_store.count("things") == 2
    reopened = open_document_store(store_url)
    try:
        assert sorted(d["v"] for d in reopened.find("things")) == [2, 3]
    finally:
        reopened.close()


def test_documents_round_trip_without_the_key(doc_store, store_url):
    doc = {"s": "日本語 → é", "n": 1, "f": 2.5, "b": False, "z": None, "l": [1, "a", {"x": [None]}],
           "d": {"deep": {"er": True}}}
    doc_store.put("things", "clé/1", doc)
    assert doc_store.get("things", "clé/1") == doc
    assert doc_store.find("things") == [doc]
    reopened = open_document_store(store_url)
    try:
        assert reopened.get("things", "clé/1") == doc
    finally:
        reopened.close()


def test_returned_documents_are_copies(doc_store):
    doc = {"l": [1]}
    doc_store.put("things", "k", doc)
    doc["l"].append(2)
    got = doc_store.get("things", "k")
    got["l"].append(3)
    assert doc_store.get("things", "k") == {"l": [1]}


def test_drop_empties_a_collection(people):
    people.put("other", "k", {"a": 1})
    people.drop("people")
    assert people.find("people") == [] and people.count("people") == 0
    assert people.get("other", "k") == {"a": 1}
    people.put("people", "x", {"name": "X"})
    assert people.count("people") == 1


def test_equality(people):
    assert query(people, {"name": "Ana"}) == ["Ana"]
    assert query(people, {"age": 31}) == ["Ana", "Chloé"]
    assert query(people, {"age": 31, "active": True}) == ["Ana", "Chloé"]
    assert query(people, {"name": {"eq": "Bob"}}) == ["Bob"]
    assert query(people, {"score": 5}) == ["Chloé"]          # 5 == 5.0 across int and float
    assert query(people, {"score": 3}) == ["Bob"]
    assert query(people, {"name": "nobody"}) == []
    assert query(people, {}) == query(people, None) == ["Ana", "Bob", "Chloé", "Dan"]


def test_equality_keeps_kinds_apart(people):
    assert query(people, {"active": True}) == ["Ana", "Chloé"]   # not Dan, whose 1 is a number
    assert query(people, {"active": 1}) == ["Dan"]
    assert query(people, {"active": False}) == ["Bob"]
    assert query(people, {"age": "31"}) == []
    assert query(people, {"address": "Montréal"}) == []


def test_none_matches_null_and_missing(people):
    assert query(people, {"note": None}) == ["Ana", "Bob", "Dan"]
    assert query(people, {"note": {"ne": None}}) == ["Chloé"]
    assert query(people, {"address.zip": None}) == ["Dan"]


def test_dotted_paths(people):
    assert query(people, {"address.city": "Montréal"}) == ["Ana", "Chloé"]
    assert query(people, {"address.zip": {"gte": "H3", "lt": "H7"}}) == ["Chloé"]


def test_ne_includes_documents_without_the_field(people):
    assert query(people, {"note": {"ne": "vip"}}) == ["Ana", "Bob", "Dan"]
    assert query(people, {"age": {"ne": 31}}) == ["Bob", "Dan"]
    assert query(people, {"active": {"ne": True}}) == ["Bob", "Dan"]


def test_ranges(people):
    assert query(people, {"age": {"gt": 31}}) == ["Bob"]
    assert query(people, {"age": {"gte": 31}}) == ["Ana", "Bob", "Chloé"]
    assert query(people, {"age": {"lt": 31}}) == ["Dan"]
    assert query(people, {"age": {"lte": 31}}) == ["Ana", "Chloé", "Dan"]
    assert query(people, {"age": {"gt": 1, "lt": 45}}) == ["Ana", "Chloé"]
    assert query(people, {"score": {"gt": 3.5}}) == ["Ana", "Chloé"]
    assert query(people, {"name": {"gte": "B", "lt": "D"}}) == ["Bob", "Chloé"]
    assert query(people, {"name": {"gt": 0}}) == []  # numbers and strings do not compare
    assert query(people, {"age": {"gt": ""}}) == []


def test_in(people):
    assert query(people, {"name": {"in": ["Ana", "Dan", "Zoé"]}}) == ["Ana", "Dan"]
    assert query(people, {"age": {"in": [45, 1]}}) == ["Bob", "Dan"]
    assert query(people, {"note": {"in": ["vip", None]}}) == ["Ana", "Bob", "Chloé", "Dan"]
    assert query(people, {"name": {"in": []}}) == []
    assert query(people, {"name": {"in": ("Bob",)}}) == ["Bob"]


def test_contains(people):
    assert query(people, {"tags": {"contains": "fr"}}) == ["Ana"]  # Dan's "fr" is no list
    assert query(people, {"tags": {"contains": "en"}}) == ["Ana", "Bob"]
    assert query(people, {"tags": {"contains": "de"}}) == []
    assert query(people, {"tags": {"contains": "en"}, "age": 45}) == ["Bob"]
    people.put("people", "eve", {"name": "Eve", "tags": [1, True]})
    assert query(people, {"tags": {"contains": 1}}) == ["Eve"]
    assert query(people, {"tags": {"contains": True}}) == ["Eve"]


def test_order_by_several_fields(people):
    assert names(people.find("people", order_by=[("age", 1), ("name", -1)])) == ["Dan", "Chloé", "Ana", "Bob"]
    assert names(people.find("people", order_by=[("age", -1), ("name", 1)])) == ["Bob", "Ana", "Chloé", "Dan"]
    assert names(people.find("people", order_by=[("address.city", 1), ("name", 1)])) == [
        "Bob", "Ana", "Chloé", "Dan"]
    assert names(people.find("people", {"active": True}, order_by=[("score", -1)])) == ["Chloé", "Ana"]


def test_pages(doc_store):
    for i in range(25):
        doc_store.put("items", f"k{i:02d}", {"group": i % 3, "i": i})
    seen = []
    for offset in range(0, 25, 10):
        seen += [d["i"] for d in doc_store.find("items", order_by=[("group", 1)], limit=10, offset=offset)]
    assert sorted(seen) == list(range(25))  # ties broken by key: pages neither repeat nor skip
    page = doc_store.find("items", {"group": 1}, order_by=[("i", -1)], limit=3)
    assert [d["i"] for d in page] == [22, 19, 16]
    assert [d["i"] for d in doc_store.find("items", order_by=[("i", 1)], offset=23)] == [23, 24]
    assert doc_store.find("items", limit=0) == []
    assert doc_store.count("items", {"group": 0}) == 9
    assert doc_store.count("items", {"i": {"gte": 20}}) == 5


def test_ensure_index_keeps_queries_working(people):
    people.ensure_index("people", ["age"])
    people.ensure_index("people", ["address.city", "name"])
    people.ensure_index("people", ["age"])  # twice is harmless
    assert query(people, {"age": 31}) == ["Ana", "Chloé"]
    found = people.find("people", {"address.city": "Montréal"}, order_by=[("name", 1)])
    assert names(found) == ["Ana", "Chloé"]


INJECTIONS = [
    {"a": {"$ne": ""}},
    {"a": {"$gt": ""}},
    {"a": {"eq": {"$gt": ""}}},
    {"a": {"in": [{"$gt": ""}]}},
    {"$where": "1 == 1"},
    {"$or": [{"a": 1}]},
    {"a.$b": 1},
    {"a": {"$regex": ".*"}},
    {"a": {"regex": ".*"}},
    {"a": {}},
    {"a": [1, 2]},
    {"a": {"in": "abc"}},
    {"a": {"contains": ["x"]}},
    {"a": {"gt": None}},
    {"a": object()},
    {"a": {"eq": b"bytes"}},
    {"a": float("nan")},
    {"a": 2 ** 70},
    {"": 1},
    {"a..b": 1},
    {"a'); DROP TABLE doc_people; --": 1},
    {"_id": "ana"},
    {1: 1},
]


@pytest.mark.parametrize("where", INJECTIONS, ids=[str(i) for i in range(len(INJECTIONS))])
def test_anything_outside_the_language_is_refused(people, where):
    with pytest.raises(ValueError):
        people.find("people", where)
    with pytest.raises(ValueError):
        people.count("people", where)
    assert people.count("people") == 4


@pytest.mark.parametrize("collection", ["People", "a-b", "1a", "", "a;drop", "doc people", "$cmd", None])
def test_bad_collection_names_are_refused(doc_store, collection):
    with pytest.raises(ValueError):
        doc_store.put(collection, "k", {"a": 1})
    with pytest.raises(ValueError):
        doc_store.find(collection)


@pytest.mark.parametrize("kwargs", [
    {"order_by": [("age", 2)]}, {"order_by": [("age", True)]}, {"order_by": [("$age", 1)]},
    {"order_by": [("age;", 1)]}, {"limit": -1}, {"offset": -1}, {"limit": "5"},
])
def test_bad_order_and_pages_are_refused(people, kwargs):
    with pytest.raises(ValueError):
        people.find("people", **kwargs)


def test_bad_documents_are_refused(doc_store):
    for bad in ({"_id": "x"}, ["a"], {"f": float("inf")}):
        with pytest.raises(ValueError):
            doc_store.put("things", "k", bad)
    with pytest.raises(ValueError):
        doc_store.ensure_index("things", ["$where"])
    assert doc_store.count("things") == 0


# A single-field index on a list field (MongoDB's multikey index; SQLite: a member table kept by
# triggers): `contains` answers the same before and after the index, through every kind of write.
LISTS = {
    "a": {"n": 1, "tags": ["fr", "en", 1, True, None]},
    "b": {"n": 2, "tags": ["en"]},
    "c": {"n": 3, "tags": "fr"},                # no list: never contains
    "d": {"n": 4, "tags": {"fr": 1}},           # an object neither
    "e": {"n": 5},
}
WHERES = [{"tags": {"contains": v}} for v in ("fr", "en", "de", 1, True, None)] + [
    {"tags": {"contains": "en"}, "n": {"gte": 2}}]


def answers(store):
    return [sorted(d["n"] for d in store.find("things", w)) for w in WHERES] + [
        [store.count("things", w) for w in WHERES]]


def test_contains_is_the_same_with_the_index(doc_store):
    doc_store.put_many("things", LISTS.items())
    before = answers(doc_store)
    assert before[0] == [1] and before[1] == [1, 2] and before[2] == [] and before[5] == [1]
    doc_store.ensure_index("things", ["tags"])      # filled from the documents already there
    assert answers(doc_store) == before
    doc_store.put("things", "b", {"n": 2, "tags": ["fr"]})          # replaced
    doc_store.insert("things", "f", {"n": 6, "tags": ["de", "de"]})
    doc_store.put_many("things", [("c", {"n": 3, "tags": ["fr"]}), ("a", {"n": 1, "tags": []})])
    doc_store.delete("things", "b")
    assert [sorted(d["n"] for d in doc_store.find("things", w)) for w in WHERES[:3]] == [[3], [], [6]]
    assert doc_store.count("things", {"tags": {"contains": "de"}}) == 1
    doc_store.drop("things")
    assert doc_store.find("things", {"tags": {"contains": "fr"}}) == []
    doc_store.put("things", "g", {"n": 7, "tags": ["fr"]})
    assert [d["n"] for d in doc_store.find("things", {"tags": {"contains": "fr"}})] == [7]
