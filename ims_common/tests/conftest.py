"""Store fixtures: each contract suite runs on every adapter. SQLite on a file of the test, mongomock
always, a real MongoDB only when MONGODB_TEST_URL is set (a fresh database per test, dropped after)."""
from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from ims_common.stores import open_blob_store, open_document_store, open_event_store

BACKENDS = ["sqlite", "mongomock"] + (["mongodb"] if os.environ.get("MONGODB_TEST_URL") else [])


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    name = f"ims_test_{uuid.uuid4().hex[:16]}"
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
    elif request.param == "mongomock":
        yield f"mongomock://{name}"
    else:
        parts = urlsplit(os.environ["MONGODB_TEST_URL"])
        url = urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))
        yield url
        import pymongo
        with pymongo.MongoClient(url) as client:
            client.drop_database(name)


def _opened(opener, url):
    store = opener(url)
    yield store
    store.close()


@pytest.fixture
def event_store(store_url):
    yield from _opened(open_event_store, store_url)


@pytest.fixture
def doc_store(store_url):
    yield from _opened(open_document_store, store_url)


@pytest.fixture
def blob_store(store_url):
    yield from _opened(open_blob_store, store_url)
