"""Profiles over the real RabbitMQ: auth's ProfileUpdated events reach the booking service's copy live,
a booking service started after the events catches up through auth.events_since, and the auth
service's expiry timer makes an interpreter with an expired "inactive if not valid" document
unavailable for offers exactly once."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from argon2 import PasswordHasher as Argon2
from nameko.standalone.rpc import ClusterRpcProxy

from ims_common.stores import open_blob_store, open_document_store, open_event_store
from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.services import service_process
from ims_common.testing.wait import wait_until
from services.auth import bootstrap
from services.auth.adapters.passwords import PasswordHasher

COORDINATOR = {"user_id": "UBICB0001", "role": "coordinator", "name": "Coordination BI"}


@pytest.fixture
def amqp_uri():
    with isolated_vhost() as uri:
        yield uri


@pytest.fixture
def env(tmp_path):
    return {"IMS_DATA_DIR": str(tmp_path), "IMS_PROFILE_EXPIRY_INTERVAL": "1"}


def offline_interpreters(tmp_path) -> tuple[str, str, str]:
    """Written into auth's store before the service runs (as the CLI does): one interpreter whose
    permit was still valid then, and one without documents."""
    url = f"sqlite:///{tmp_path / 'auth.sqlite3'}"
    events, docs, blobs = open_event_store(url), open_document_store(url), open_blob_store(url)
    then = datetime(2024, 1, 10, 15, tzinfo=timezone.utc)
    app = bootstrap.build(events, docs, blobs, clock=lambda: then,
                          hasher=PasswordHasher(Argon2(time_cost=1, memory_cost=1024, parallelism=1)))
    user_id = app.accounts.create_account_as_operator({"email": "permis@example.org", "first_name": "Ana",
                                              "last_name": "Permis", "role": "interpreter"})["user_id"]
    profile = app.profiles.update_profile(COORDINATOR, user_id, {"eligibility_documents": [
        {"name": "Permis de travail", "expires_on": "2024-03-30", "inactive_if_invalid": True}]})
    assert profile["available_for_offers"] is True
    made = app.accounts.create_account_as_operator({"email": "pepe@example.org", "first_name": "Pepe",
                                                    "last_name": "Nomme", "role": "interpreter"})
    other, other_password = made["user_id"], made["temporary_password"]
    for store in (events, docs, blobs):
        store.close()
    return user_id, other, other_password


def test_profiles_reach_booking_live_and_late_and_expiry_is_applied_once(amqp_uri, env, tmp_path):
    expired_id, uid, password = offline_interpreters(tmp_path)
    with service_process("auth", amqp_uri, tmp_path, env), \
            ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
        # The timer finds the expired permit and appends one ProfileUpdated for it.
        def expiry_event():
            return [e for e in rpc.auth.events_since(0, 100)
                    if e["type"] == "ProfileUpdated" and e["actor"]["user_id"] == "system"]
        wait_until(expiry_event, timeout=20)
        profile = rpc.auth.get_profile(COORDINATOR, expired_id)
        assert profile["available_for_offers"] is False
        assert profile["unavailable_reasons"][0]["code"] == "eligibility_document_expired"

        rpc.auth.update_profile(COORDINATOR, uid, {
            "language_pairs": [{"source": "Français", "target": "Arménien", "country": "Arménie"}],
            "request_types": ["phone", "video"], "region": "06-Montréal"})
        published = len(rpc.auth.events_since(0, 100))

        # Started after every one of those events: it catches up through auth.events_since.
        with service_process("booking", amqp_uri, tmp_path, env):
            def copy():
                result = rpc.booking.interpreter_profiles()
                return {p["user_id"]: p for p in result["items"]} if result["checkpoint"] >= published else None
            profiles = wait_until(copy, timeout=30)
            assert profiles[uid]["language_pairs"] == [{"source": "Français", "target": "Arménien",
                                                        "country": "Arménie"}]
            assert profiles[expired_id]["available_for_offers"] is False

            # Live: a change by the interpreter reaches the copy over auth.events.
            interpreter = {"user_id": uid, "role": "interpreter", "name": "Pepe Nomme"}
            rpc.auth.update_profile(interpreter, uid, {"mobile": "514 555 0101",   # her phone: with her password
                                                       "notifications": {"email_disabled": True}}, password)
            updated = wait_until(lambda: copy() and copy()[uid]["mobile"] == "+15145550101" and copy()[uid],
                                 timeout=20)
            assert updated["notifications"] == {"sms_disabled": False, "email_disabled": True}
            assert updated["language_pairs"][0]["target"] == "Arménien"   # the full profile each time

        # Many timer ticks later (each second), still one event for the expired permit.
        assert len(expiry_event()) == 1
        stream = [e for e in rpc.auth.events_since(0, 100) if e["stream_id"] == f"account-{expired_id}"]
        assert [e["type"] for e in stream] == ["AccountCreated", "ProfileUpdated", "ProfileUpdated"]
        assert [e["stream_version"] for e in stream] == [1, 2, 3]
