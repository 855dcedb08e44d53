"""The blob store contract, run on every adapter (GridFS on MongoDB and mongomock)."""
from __future__ import annotations

import pytest

from ims_common.blobstore.port import DEFAULT_CONTENT_TYPE
from ims_common.stores import open_blob_store


def test_put_get_exists_delete(blob_store):
    assert blob_store.get("a") is None and not blob_store.exists("a")
    blob_store.put("a", b"%PDF-1.4 hello", "application/pdf", "rapport été.pdf")
    blob = blob_store.get("a")
    assert (blob.key, blob.data, blob.content_type, blob.filename, blob.size) == (
        "a", b"%PDF-1.4 hello", "application/pdf", "rapport été.pdf", 14)
    assert blob_store.exists("a")
    blob_store.delete("a")
    blob_store.delete("a")  # absent: nothing happens
    assert blob_store.get("a") is None and not blob_store.exists("a")


def test_defaults_and_empty_content(blob_store):
    blob_store.put("e", b"")
    blob = blob_store.get("e")
    assert (blob.data, blob.content_type, blob.filename, blob.size) == (b"", DEFAULT_CONTENT_TYPE, None, 0)


def test_every_byte_and_large_blobs_round_trip(blob_store):
    data = bytes(range(256)) * 4096 + b"tail"  # 1 MiB and more: several GridFS chunks
    blob_store.put("big", data, "application/octet-stream")
    assert blob_store.get("big").data == data


def test_put_replaces(blob_store):
    blob_store.put("k", b"one", "text/plain", "1.txt")
    blob_store.put("k", b"two", "image/png", "2.png")
    blob = blob_store.get("k")
    assert (blob.data, blob.content_type, blob.filename) == (b"two", "image/png", "2.png")


def test_blobs_survive_reopening(blob_store, store_url):
    blob_store.put("k", b"kept", "text/plain")
    reopened = open_blob_store(store_url)
    try:
        assert reopened.get("k").data == b"kept"
    finally:
        reopened.close()


@pytest.mark.parametrize("key, data", [("", b"x"), (None, b"x"), ("k", "text"), ("k", None)])
def test_bad_arguments_are_refused(blob_store, key, data):
    with pytest.raises((ValueError, TypeError)):
        blob_store.put(key, data)
