"""The document store port: what services keep besides events (read models, accounts, checkpoints).

Queries take a small, explicit language (never a client's dict passed through):
  where = {"field": value}                      equality (value: str, int, bool, None)
          {"field": {"gte": v, "lt": v}}        range; ops: eq, ne, gt, gte, lt, lte, in (list), contains
                                                ("contains": the field is a list holding the value)
  Field names are dotted paths into the document ("a.b"). Keys starting with "$" are refused.

The checks of that language, of keys, collection names, pages and documents are the port's: every
adapter runs them before it translates anything (parse_where gives (path, op, value) terms).
"""
from __future__ import annotations

import contextlib
import json
import math
import re
from abc import ABC, abstractmethod
from typing import Any, Iterable, Optional, Sequence

OPS = frozenset({"eq", "ne", "gt", "gte", "lt", "lte", "in", "contains"})
_COLLECTION = re.compile(r"^[a-z][a-z0-9_]*$")
_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def check_collection(name: Any) -> str:
    if not isinstance(name, str) or not _COLLECTION.match(name):
        raise ValueError(f"invalid collection name {name!r}")
    return name


def check_path(path: Any) -> str:
    if not isinstance(path, str) or path.startswith("$") or not _PATH.match(path):
        raise ValueError(f"invalid field {path!r}")
    if path.split(".")[0] == "_id":
        raise ValueError("_id is not a field (the key is)")
    return path


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int) and -2**63 <= value < 2**63:  # what both databases hold
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise ValueError(f"invalid query value {value!r}")


def parse_where(where: Optional[dict]) -> list[tuple[str, str, Any]]:
    """[(path, op, value)] from a where clause, or ValueError for anything outside the language."""
    if where is None:
        return []
    if not isinstance(where, dict):
        raise ValueError("where must be a dict")
    terms = []
    for path, cond in where.items():
        check_path(path)
        if not isinstance(cond, dict):
            terms.append((path, "eq", _scalar(cond)))
            continue
        if not cond:
            raise ValueError(f"no operator for {path!r}")
        for op, value in cond.items():
            if not isinstance(op, str) or op not in OPS:
                raise ValueError(f"invalid operator {op!r}")
            if op == "in":
                if not isinstance(value, (list, tuple)):
                    raise ValueError("'in' takes a list")
                value = [_scalar(v) for v in value]
            else:
                value = _scalar(value)
                if value is None and op in ("gt", "gte", "lt", "lte"):
                    raise ValueError(f"{op!r} cannot compare with None")
            terms.append((path, op, value))
    return terms


def parse_order(order_by: Sequence) -> list[tuple[str, int]]:
    out = []
    for item in order_by or ():
        path, direction = item
        if isinstance(direction, bool) or direction not in (1, -1):
            raise ValueError(f"order direction must be 1 or -1, not {direction!r}")
        out.append((check_path(path), direction))
    return out


def check_page(limit: Optional[int], offset: int) -> None:
    for name, value in (("limit", limit), ("offset", offset)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValueError(f"{name} must be an integer >= 0")


def check_doc(doc: Any) -> None:
    if not isinstance(doc, dict):
        raise ValueError("a document is a dict")
    if "_id" in doc:
        raise ValueError("_id is reserved (the key is given apart)")


def normalize(doc: Any) -> dict:
    """The document as JSON holds it, so both adapters store and return the same thing."""
    check_doc(doc)
    return json.loads(json.dumps(doc, allow_nan=False))


def check_key(key: Any) -> str:
    if not isinstance(key, str) or not key:
        raise ValueError("key must be a non-empty string")
    return key


def check_index_fields(fields: Sequence[str]) -> list[str]:
    checked = [check_path(f) for f in fields]
    if not checked:
        raise ValueError("ensure_index needs fields")
    return checked


class DuplicateKeyError(Exception):
    """insert() of a key that exists."""


class DocumentStore(ABC):
    @abstractmethod
    def get(self, collection: str, key: str) -> Optional[dict]:
        ...

    @abstractmethod
    def put(self, collection: str, key: str, doc: dict) -> None:
        """Insert or replace the document under key."""

    @abstractmethod
    def put_many(self, collection: str, items: Iterable[tuple[str, dict]]) -> None:
        """put() of each (key, doc), all or nothing, in one write (a read-model rebuild writes its
        documents a batch at a time instead of one commit each). A key named twice: the last wins."""

    @abstractmethod
    def insert(self, collection: str, key: str, doc: dict) -> None:
        """Insert; raises DuplicateKeyError when key exists (used for idempotency markers)."""

    @abstractmethod
    def delete(self, collection: str, key: str) -> None:
        ...

    @abstractmethod
    def find(self, collection: str, where: Optional[dict] = None, order_by: Sequence[tuple[str, int]] = (),
             limit: Optional[int] = None, offset: int = 0) -> list[dict]:
        """Documents matching where; order_by is [(field, 1 | -1)]."""

    @abstractmethod
    def count(self, collection: str, where: Optional[dict] = None) -> int:
        ...

    @abstractmethod
    def drop(self, collection: str) -> None:
        """Remove every document of the collection (read-model rebuild)."""

    @abstractmethod
    def ensure_index(self, collection: str, fields: Sequence[str]) -> None:
        """Hint that queries filter or sort on these fields."""

    def batch(self):
        """A context manager grouping the writes made inside it (by this thread) into one
        transaction where the adapter has them: SQLite commits once at the end, all or nothing, so a
        rebuild does not pay a disk flush per document; reads inside see the writes. MongoDB writes
        as they come. Nested batches belong to the outermost one."""
        return contextlib.nullcontext()

    def lock(self, name: str):
        """The lock `name` shared by every process on this store (ims_common/locks.py). A store
        living in one process needs only a thread lock: this default."""
        from ims_common.locks import local_lock
        return local_lock(("store", id(self)), name)

    def close(self) -> None:  # pragma: no cover
        pass
