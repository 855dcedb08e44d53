"""Fixtures: the auth use cases (bootstrap.build) on each storage adapter (SQLite file, mongomock)."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from argon2 import PasswordHasher as Argon2

from ims_common import config
from ims_common.stores import open_blob_store, open_document_store, open_event_store
from services.auth import bootstrap
from services.auth.adapters.messenger import RecordingMessenger
from services.auth.adapters.passwords import PasswordHasher
from services.auth.app.context import Settings

KEYS = [("test1", "auth-tests-signing-secret-" + "s" * 40)]
PASSWORD = "Banque-Interpretes-7"


class Clock:
    """A settable clock, so tests never wait for time to pass."""

    def __init__(self):
        self.now = datetime.now(timezone.utc)   # real time, so tokens it stamps verify

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += timedelta(**kwargs)


@pytest.fixture(params=["sqlite", "mongomock"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'auth.sqlite3'}"
    return f"mongomock://ims_auth_{uuid.uuid4().hex}"


@pytest.fixture
def stores(store_url):
    events, docs, blobs = open_event_store(store_url), open_document_store(store_url), open_blob_store(store_url)
    yield events, docs, blobs
    for store in (events, docs, blobs):
        store.close()


@pytest.fixture
def clock():
    return Clock()


def settings(keys=lambda: KEYS) -> Settings:
    """The test keys; the access-token lifetime still from the environment (a test changes it)."""
    return Settings(keys=keys, access_ttl=config.access_token_ttl_seconds, refresh_ttl=lambda: 7 * 86400,
                    public_url=lambda: "https://ims.example")


@pytest.fixture
def sent():
    return RecordingMessenger()


@pytest.fixture
def app(stores, clock, sent):
    """The Auth use cases, as service.py has them, with a recording messenger."""
    return bootstrap.build(*stores, clock=clock, hasher=fast_hasher(), messenger=sent, settings=settings())


def fast_hasher() -> PasswordHasher:
    """Still argon2id, at a cost that keeps the suite quick (the defaults are tested apart)."""
    return PasswordHasher(Argon2(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def coordinator(app):
    """The first coordinator, as the CLI makes it, and the actor dict its token gives."""
    account = app.accounts.bootstrap_coordinator("Coord@Example.org", "Claire", "Ouellet", PASSWORD)
    return {"user_id": account["user_id"], "role": "coordinator", "establishment": None,
            "name": "Claire Ouellet", "lang": "fr"}


@pytest.fixture
def admin():
    return {"user_id": "UBIAD9999", "role": "admin", "establishment": None, "name": "Ad Min", "lang": "fr"}
