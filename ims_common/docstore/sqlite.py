"""SQLite document store: one table per collection (key, JSON doc), queried with json_extract.

A where clause arrives checked into (path, op, value) terms by the port's parse_where.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import time
from typing import Any, Iterable, Optional, Sequence

try:
    import orjson   # decodes several times faster: a page of a list is mostly decoding
except ImportError:  # pragma: no cover - the standard library does the same, slower
    orjson = None
from ims_common.docstore.port import (DocumentStore, DuplicateKeyError, check_collection, check_doc,
                                      check_index_fields, check_key, check_page, parse_order, parse_where)
from ims_common.locks import sqlite_lock
from ims_common.stores import sqlite_connect


def _text(doc: Any) -> str:
    """The stored JSON of a document, as json.dumps(normalize(doc)) gives it, in one encoding
    (the round trip normalize makes would cost every write twice the encoding)."""
    check_doc(doc)
    try:
        return _ENCODER.encode(doc)
    except RecursionError:
        raise ValueError("a document cannot contain itself") from None


# No circular check on each value (a cycle ends in RecursionError, refused above): faster.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False)


def _loads(text: str):
    if orjson is not None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass          # what only the standard library reads (integers past 64 bits)
    return json.loads(text)


# --- SQL translation ----------------------------------------------------------------------------

_CMP = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def _extract(path: str) -> str:
    # The same text in queries and in ensure_index, so the planner matches the expression index.
    return f"json_extract(doc, '$.{path}')"


def _kind(value) -> str:
    """The json_type values of the same kind as value: SQLite would otherwise match 1 with true,
    and a string with an array's JSON text."""
    if isinstance(value, bool):
        return "('true', 'false')"
    if isinstance(value, str):
        return "('text')"
    return "('integer', 'real')"


def _eq(val: str, typ: str, value) -> tuple[str, list]:
    if value is None:
        return f"{val} IS NULL", []
    if isinstance(value, bool):
        # The value too, though the type alone tells true from false: an index on the field leads
        # with its value (ensure_index), and a term naming only the type cannot use it at all.
        return f"({val} = {int(value)} AND {typ} = '{'true' if value else 'false'}')", []
    return f"({val} = ? AND {typ} IN {_kind(value)})", [value]


def _type(path: str) -> str:
    # Indexed beside _extract (ensure_index): the kind checks of a term are read from the index too.
    return f"json_type(doc, '$.{path}')"


def _term(path: str, op: str, value, members: Optional[str] = None) -> tuple[str, list]:
    """SQL of one term. `members`: the table of the path's list members (ensure_index), if any."""
    val, typ = _extract(path), _type(path)
    if op == "eq":
        return _eq(val, typ, value)
    if op == "ne":
        sql, params = _eq(val, typ, value)
        return f"NOT COALESCE({sql}, 0)", params
    if op in _CMP:
        param = int(value) if isinstance(value, bool) else value
        return f"({val} {_CMP[op]} ? AND {typ} IN {_kind(value)})", [param]
    if op == "in":
        if not value:
            return "0", []
        parts = [_eq(val, typ, v) for v in value]
        return "(" + " OR ".join(p[0] for p in parts) + ")", [x for p in parts for x in p[1]]
    # contains: the field is a list holding the value
    sql, params = _eq("value", "type", value)
    if members:    # an index lookup of the documents holding it, instead of reading every list
        return f"key IN (SELECT key FROM {members} WHERE {sql})", params
    return (f"({typ} = 'array' AND EXISTS (SELECT 1 FROM json_each(doc, '$.{path}') WHERE {sql}))",
            params)


def where_sql(where: Optional[dict], members: Optional[dict] = None) -> tuple[str, list]:
    """(" WHERE …", params); `members`: {path: table of its list members} (ensure_index)."""
    parts, params = [], []
    for path, op, value in parse_where(where):
        sql, p = _term(path, op, value, (members or {}).get(path))
        parts.append(sql)
        params.extend(p)
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


ANALYSIS_LIMIT = 1000        # rows sampled per index by ANALYZE: statistics in about a millisecond
STATS_CHECK_SECONDS = 10.0


class SqliteDocumentStore(DocumentStore):
    def __init__(self, path: str, durable: bool = True):
        self._path = path
        self._conn, self._lock = sqlite_connect(path, durable=durable)
        self._tables: set[str] = set()
        self._members: dict[str, dict[str, str]] = {}   # table -> {path: table of its list members}
        self._single: dict[str, dict[str, str]] = {}    # table -> {path: its index digest}, one field
        self._stats: dict[str, tuple[float, int]] = {}  # table -> (when checked, rows when analyzed)
        with self._lock:
            self._conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")

    def _table(self, collection: str) -> str:
        table = "doc_" + check_collection(collection)
        if table not in self._tables:
            self._conn.execute(f"CREATE TABLE IF NOT EXISTS {table} "
                               "(key TEXT PRIMARY KEY, doc TEXT NOT NULL)")
            self._tables.add(table)
        return table

    def get(self, collection: str, key: str) -> Optional[dict]:
        with self._lock:
            row = self._conn.execute(f"SELECT doc FROM {self._table(collection)} WHERE key = ?",
                                     (check_key(key),)).fetchone()
        return _loads(row[0]) if row else None

    def put(self, collection: str, key: str, doc: dict) -> None:
        text = _text(doc)
        with self._lock:
            self._conn.execute(f"INSERT INTO {self._table(collection)} (key, doc) VALUES (?, ?) "
                               "ON CONFLICT (key) DO UPDATE SET doc = excluded.doc", (check_key(key), text))

    def put_many(self, collection: str, items: Iterable[tuple[str, dict]]) -> None:
        # Everything checked before the transaction: a bad document writes nothing.
        rows = [(check_key(key), _text(doc)) for key, doc in items]
        if not rows:
            return
        with self.batch():
            self._conn.executemany(f"INSERT INTO {self._table(collection)} (key, doc) VALUES (?, ?) "
                                   "ON CONFLICT (key) DO UPDATE SET doc = excluded.doc", rows)

    @contextlib.contextmanager
    def batch(self):
        # The file's lock is held throughout: other threads of the process wait for the commit.
        with self._lock:
            conn = self._conn
            if conn.in_transaction:
                yield                    # the outer batch commits
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def insert(self, collection: str, key: str, doc: dict) -> None:
        text = _text(doc)
        with self._lock:
            try:
                self._conn.execute(f"INSERT INTO {self._table(collection)} (key, doc) VALUES (?, ?)",
                                   (check_key(key), text))
            except sqlite3.IntegrityError:
                raise DuplicateKeyError(f"{collection}/{key}") from None

    def delete(self, collection: str, key: str) -> None:
        with self._lock:
            self._conn.execute(f"DELETE FROM {self._table(collection)} WHERE key = ?", (check_key(key),))

    def _where(self, collection: str, where: Optional[dict]) -> tuple[str, list]:
        table = "doc_" + check_collection(collection)
        if table in self._single and isinstance(where, dict):
            for path, cond in where.items():
                if (isinstance(cond, dict) and "contains" in cond and path in self._single[table]
                        and path not in self._members.get(table, {})):
                    with self._lock, self.batch():
                        self._index_members(table, path, f"mk_{table}_{self._single[table][path]}")
        return where_sql(where, self._members.get(table))

    def find(self, collection: str, where: Optional[dict] = None, order_by: Sequence[tuple[str, int]] = (),
             limit: Optional[int] = None, offset: int = 0) -> list[dict]:
        clause, params = self._where(collection, where)
        order = [f"{_extract(p)} {'ASC' if d == 1 else 'DESC'}" for p, d in parse_order(order_by)]
        check_page(limit, offset)
        with self._lock:
            self._fresh_stats(self._table(collection))
            sql = (f"SELECT doc FROM {self._table(collection)}{clause} ORDER BY "
                   + ", ".join(order + ["key ASC"]) + " LIMIT ? OFFSET ?")  # key: a stable page order
            rows = self._conn.execute(sql, params + [-1 if limit is None else limit, offset]).fetchall()
        return [_loads(r[0]) for r in rows]

    def count(self, collection: str, where: Optional[dict] = None) -> int:
        clause, params = self._where(collection, where)
        with self._lock:
            self._fresh_stats(self._table(collection))
            return self._conn.execute(f"SELECT COUNT(*) FROM {self._table(collection)}{clause}",
                                      params).fetchone()[0]

    def _fresh_stats(self, table: str) -> None:
        """The query planner's statistics of the table (ANALYZE, sampled): without them it cannot
        tell a selective index from one matching most rows (an interpreter's bookings vs a month's).
        Checked at most every STATS_CHECK_SECONDS, redone when the row count doubled or halved."""
        now = time.monotonic()
        checked, analyzed_rows = self._stats.get(table, (-STATS_CHECK_SECONDS, -1))
        if now - checked < STATS_CHECK_SECONDS:
            return
        rows = self._conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        if analyzed_rows < 0 or rows > 2 * analyzed_rows + 50 or 2 * rows + 50 < analyzed_rows:
            self._conn.execute(f"ANALYZE {table}")
            for members in self._members.get(table, {}).values():
                self._conn.execute(f"ANALYZE {members}")
            analyzed_rows = rows
        self._stats[table] = (now, analyzed_rows)

    def drop(self, collection: str) -> None:
        with self._lock:
            self._conn.execute(f"DELETE FROM {self._table(collection)}")

    def ensure_index(self, collection: str, fields: Sequence[str]) -> None:
        fields = check_index_fields(fields)
        digest = hashlib.sha1(",".join(fields).encode()).hexdigest()[:12]
        with self._lock, self.batch():
            table = self._table(collection)
            # Each field's value and JSON type: a term's kind check is answered by the index too,
            # instead of parsing every candidate document (the index of earlier versions is replaced).
            # The values first, in order, so a sort on the fields can read the index in order.
            for older in ("ix", "ix2"):
                self._conn.execute(f"DROP INDEX IF EXISTS {older}_{table}_{digest}")
            self._conn.execute(f"CREATE INDEX IF NOT EXISTS ix3_{table}_{digest} ON {table} "
                               f"({', '.join([_extract(f) for f in fields] + [_type(f) for f in fields])})")
            if len(fields) == 1:   # its list members are indexed when first asked (contains)
                self._single.setdefault(table, {})[fields[0]] = digest

    def _index_members(self, table: str, path: str, members: str) -> None:
        """A single-field index also indexes the members of the field when it holds a list (what
        MongoDB's multikey index does): a table of (value, type, key) kept by triggers on every
        write, whoever writes, so `contains` is an index lookup. Made (and filled) by the first
        `contains` on the field, so fields never searched that way cost writes nothing."""
        conn = self._conn
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                              (members,)).fetchone()
        each = (f"SELECT value, type, NEW.key FROM json_each(NEW.doc, '$.{path}') "
                f"WHERE json_type(NEW.doc, '$.{path}') = 'array'")
        conn.execute(f"CREATE TABLE IF NOT EXISTS {members} (value, type TEXT NOT NULL, key TEXT NOT NULL)")
        conn.execute(f"CREATE INDEX IF NOT EXISTS {members}_value ON {members} (value, type, key)")
        conn.execute(f"CREATE INDEX IF NOT EXISTS {members}_key ON {members} (key)")
        conn.execute(f"CREATE TRIGGER IF NOT EXISTS {members}_ins AFTER INSERT ON {table} "
                     f"BEGIN INSERT INTO {members} (value, type, key) {each}; END")
        conn.execute(f"CREATE TRIGGER IF NOT EXISTS {members}_upd AFTER UPDATE OF doc ON {table} "
                     f"BEGIN DELETE FROM {members} WHERE key = OLD.key; "
                     f"INSERT INTO {members} (value, type, key) {each}; END")
        conn.execute(f"CREATE TRIGGER IF NOT EXISTS {members}_del AFTER DELETE ON {table} "
                     f"BEGIN DELETE FROM {members} WHERE key = OLD.key; END")
        if not exists:
            conn.execute(f"INSERT INTO {members} (value, type, key) SELECT j.value, j.type, d.key "
                         f"FROM {table} AS d, json_each(d.doc, '$.{path}') AS j "
                         f"WHERE json_type(d.doc, '$.{path}') = 'array'")
        self._members.setdefault(table, {})[path] = members
        self._stats.pop(table, None)    # the planner's statistics, with the new table's

    def lock(self, name: str):
        return sqlite_lock(self._path, name)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
