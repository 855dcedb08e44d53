"""The document store port: what services keep besides events (read models, accounts, checkpoints).

Queries take a small, explicit language (never a client's dict passed through):
  where = {"field": value}                      equality (value: str, int, bool, None)
          {"field": {"gte": v, "lt": v}}        range; ops: eq, ne, gt, gte, lt, lte, in (list), contains
                                                ("contains": the field is a list holding the value)
  Field names are dotted paths into the document ("a.b"). Keys starting with "$" are refused.
"""
from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from typing import Iterable, Optional, Sequence


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

    def close(self) -> None:  # pragma: no cover
        pass
