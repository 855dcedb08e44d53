"""Opening stores from their URL (ims_common/stores.py)."""
from __future__ import annotations

import pytest

from ims_common.envelope import NewEvent
from ims_common.stores import open_blob_store, open_document_store, open_event_store


def ev(**data):
    return NewEvent("Thing", data)


@pytest.mark.parametrize("url", ["postgres://x/y", "sqlite://", "sqlite:///", "mongomock://", "file.db"])
def test_unknown_or_incomplete_urls_are_refused(url):
    with pytest.raises(ValueError):
        open_event_store(url)


def test_a_relative_sqlite_url_is_a_file_under_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = open_event_store("sqlite:///var/rel.sqlite3")
    store.append("s", 0, [ev()])
    store.close()
    assert (tmp_path / "var" / "rel.sqlite3").exists()


def test_the_three_stores_share_one_url(store_url):
    events = open_event_store(store_url)
    docs, blobs = open_document_store(store_url), open_blob_store(store_url)
    try:
        docs.put("events", "k", {"a": 1})  # a collection named like the event table does not clash
        docs.put("blobs", "k", {"b": 2})
        blobs.put("k", b"data")
        events.append("s", 0, [ev(n=1)])
        assert docs.get("events", "k") == {"a": 1} and docs.get("blobs", "k") == {"b": 2}
        assert blobs.get("k").data == b"data" and events.last_position() == 1
    finally:
        for store in (events, docs, blobs):
            store.close()
