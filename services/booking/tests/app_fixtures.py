"""BookingApp on real store adapters (a SQLite file, mongomock), with a clock the test moves."""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta

import pytest

from ims_common.stores import open_blob_store, open_document_store, open_event_store
from services.booking import bootstrap
from services.booking.app import BookingApp
from services.booking.domain.matching import DEFAULT_POLICY

from .matching_fixtures import profile
from .scenario import ALICE, BRUNO, CLARA, FIELDS, NOW, REQUESTER

BACKENDS = ["sqlite", "mongomock"] + (["mongodb"] if os.environ.get("MONGODB_TEST_URL") else [])


class Clock:
    def __init__(self, now: datetime = NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


class Stores:
    def __init__(self, url: str):
        self.url = url
        self.event_store = open_event_store(url)
        self.doc_store = open_document_store(url)
        self.blob_store = open_blob_store(url)

    def app(self, clock) -> BookingApp:
        return bootstrap.build(self, clock=clock, policy=DEFAULT_POLICY)

    def close(self) -> None:
        for store in (self.event_store, self.doc_store, self.blob_store):
            store.close()


@pytest.fixture(params=BACKENDS)
def stores(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'booking.sqlite3'}"
    elif request.param == "mongomock":
        url = f"mongomock://booking_test_{uuid.uuid4().hex[:12]}"
    else:  # a real MongoDB, when the environment names one
        from urllib.parse import urlsplit, urlunsplit
        parts = urlsplit(os.environ["MONGODB_TEST_URL"])
        url = urlunsplit((parts.scheme, parts.netloc, f"/booking_test_{uuid.uuid4().hex[:12]}", parts.query, ""))
    opened = Stores(url)
    yield opened
    opened.close()
    if request.param == "mongodb":
        import pymongo
        with pymongo.MongoClient(url) as client:
            client.drop_database(client.get_default_database().name)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(stores, clock, request):
    """The app, with the scenario's interpreters hired (offer and assign take only interpreters the
    copy of the profiles knows), unless the test module sets BARE_PROFILES (matching's own tests)."""
    booking_app = stores.app(clock)
    if not getattr(request.module, "BARE_PROFILES", False):
        hire(booking_app, *SCENARIO_INTERPRETERS, *(f"UBIPN{i:04d}" for i in range(10)))
    return booking_app


def create(app, actor=REQUESTER, **changes) -> dict:
    return app.create_booking(actor, dict(FIELDS, **changes))


def hire(app, *user_ids: str, **changes) -> None:
    """Profiles in the app's copy (as auth publishes them) of interpreters who fit the scenario's
    booking: offer and assign take only interpreters the copy knows as active."""
    from types import SimpleNamespace
    from services.auth.contract.profiles import ProfileCopy
    copy = ProfileCopy(app.docs)
    for uid in user_ids:
        current = copy.get(uid)
        version = (current or {}).get("_version", 0) + 1
        copy.apply(SimpleNamespace(type="ProfileUpdated", data=profile(uid, **changes), stream_version=version))


SCENARIO_INTERPRETERS = (ALICE["user_id"], BRUNO["user_id"], CLARA["user_id"])
