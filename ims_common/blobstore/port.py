"""The blob store port: attachment contents, apart from the events that describe them.

Blobs are written once under a key the caller chose (e.g. the attachment id); put() on an existing key
replaces it, so a retried command stays harmless. Every adapter passes
ims_common/tests/test_blobstore_contract.py.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Optional

DEFAULT_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class Blob:
    key: str
    data: bytes
    content_type: str
    filename: Optional[str]

    @property
    def size(self) -> int:
        return len(self.data)


def check_put(key: Any, data: Any) -> bytes:
    """The arguments of put(), checked before any adapter writes: the data as bytes."""
    if not isinstance(key, str) or not key:
        raise ValueError("key must be a non-empty string")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("data must be bytes")
    return bytes(data)


class BlobStore(ABC):
    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str = DEFAULT_CONTENT_TYPE,
            filename: Optional[str] = None) -> None:
        """Store data under key (insert or replace)."""

    @abstractmethod
    def get(self, key: str) -> Optional[Blob]:
        """The blob, or None."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the blob; nothing happens when it is absent."""

    def close(self) -> None:  # pragma: no cover
        pass
