"""MongoDB document store: one collection per collection name (prefixed `doc_`), the key in _id.

Queries are translated term by term from the validated language; no caller dict reaches MongoDB.
Kinds are pinned with $type so that 1 never matches true, as in the SQLite adapter.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional, Sequence

from pymongo import ASCENDING, DESCENDING, ReplaceOne
from pymongo.errors import DuplicateKeyError as MongoDuplicateKeyError

from ims_common.locks import lease_lock
from ims_common.docstore.port import (DocumentStore, DuplicateKeyError, check_collection, check_index_fields,
                                      check_key, check_page, normalize, parse_order, parse_where)

_CMP = {"gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}


def _kind(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    return "number"


def _eq(value) -> dict:
    if value is None:
        return {"$eq": None}  # null or missing, as SQL NULL
    return {"$eq": value, "$type": _kind(value)}


def _term(op: str, value) -> dict:
    if op == "eq":
        return _eq(value)
    if op == "ne":
        return {"$not": _eq(value)}
    if op in _CMP:
        return {_CMP[op]: value, "$type": _kind(value)}
    if op == "in":
        return {"$in": list(value)}
    return {"$type": "array", "$elemMatch": _eq(value)}  # contains


def to_filter(where: Optional[dict]) -> dict:
    clauses = [{path: _term(op, value)} for path, op, value in parse_where(where)]
    if not clauses:
        return {}
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class MongoDocumentStore(DocumentStore):
    def __init__(self, db, on_close: Callable[[], None] = lambda: None,
                 locks: Optional[Callable[[str], object]] = None):
        self._db = db
        self._on_close = on_close
        self._locks = locks or (lambda name: lease_lock(db, name))

    def _coll(self, collection: str):
        return self._db["doc_" + check_collection(collection)]

    def get(self, collection: str, key: str) -> Optional[dict]:
        doc = self._coll(collection).find_one({"_id": check_key(key)})
        return _strip(doc) if doc else None

    def put(self, collection: str, key: str, doc: dict) -> None:
        self._coll(collection).replace_one({"_id": check_key(key)}, normalize(doc), upsert=True)

    def put_many(self, collection: str, items: Iterable[tuple[str, dict]]) -> None:
        # Checked first, so a bad document writes nothing; one bulk round trip for the rest. (Not a
        # transaction: a failure part way leaves some replaced, which a rebuild's replay redoes.)
        docs = [(check_key(key), normalize(doc)) for key, doc in items]
        if not docs:
            return
        coll = self._coll(collection)
        try:
            coll.bulk_write([ReplaceOne({"_id": key}, doc, upsert=True) for key, doc in docs], ordered=True)
        except TypeError:   # mongomock's bulk API lags pymongo's (ReplaceOne's sort): one at a time
            for key, doc in docs:
                coll.replace_one({"_id": key}, doc, upsert=True)

    def insert(self, collection: str, key: str, doc: dict) -> None:
        body = dict(normalize(doc), _id=check_key(key))
        try:
            self._coll(collection).insert_one(body)
        except MongoDuplicateKeyError:
            raise DuplicateKeyError(f"{collection}/{key}") from None

    def delete(self, collection: str, key: str) -> None:
        self._coll(collection).delete_one({"_id": check_key(key)})

    def find(self, collection: str, where: Optional[dict] = None, order_by: Sequence[tuple[str, int]] = (),
             limit: Optional[int] = None, offset: int = 0) -> list[dict]:
        query = to_filter(where)
        sort = [(p, ASCENDING if d == 1 else DESCENDING) for p, d in parse_order(order_by)]
        check_page(limit, offset)
        if limit == 0:
            return []  # limit(0) means "no limit" to MongoDB
        cursor = self._coll(collection).find(query).sort(sort + [("_id", ASCENDING)]).skip(offset)
        if limit is not None:
            cursor = cursor.limit(limit)
        return [_strip(d) for d in cursor]

    def count(self, collection: str, where: Optional[dict] = None) -> int:
        return self._coll(collection).count_documents(to_filter(where))

    def drop(self, collection: str) -> None:
        self._coll(collection).delete_many({})  # keeps the indexes

    def ensure_index(self, collection: str, fields: Sequence[str]) -> None:
        keys = [(path, ASCENDING) for path in check_index_fields(fields)]
        self._coll(collection).create_index(keys)

    def lock(self, name: str):
        return self._locks(name)

    def close(self) -> None:
        self._on_close()


def _strip(doc: dict) -> dict:
    doc.pop("_id", None)
    return doc
