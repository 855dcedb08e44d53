"""Issue 18: a booking event that names someone notification's copy of auth's accounts does not know
yet (an interpreter hired and offered a booking at once) is not dropped: notification catches up
auth's events and tells them; when auth cannot be asked, the event is parked (health, the CLI's
`parked`) and applied once the account arrives. Through the real services, the broker and an SMTP
server; every wait is on a condition with a deadline sized for a loaded 2-core machine."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ims_common.testing.message_sinks import smtp_sink
from ims_common.testing.rabbit import _ctl, vhost_of
from ims_common.testing.services import ROOT
from ims_common.testing.wait import wait_until
from tests.fault.conftest import COORDINATOR, booking_fields, hire_interpreter, rpc_proxy

INTERPRETER_EMAIL = "ilya.interprete@example.org"


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server on loopback, where notification (started after it) sends its email."""
    with smtp_sink() as sink:
        monkeypatch.setenv("SMTP_HOST", sink.host)
        monkeypatch.setenv("SMTP_PORT", str(sink.port))
        yield sink


def offer_to_new_interpreter(amqp_uri: str) -> str:
    interpreter = hire_interpreter(amqp_uri)
    with rpc_proxy(amqp_uri) as rpc:
        bid = rpc.booking.create_booking(COORDINATOR, booking_fields())["id"]
        rpc.booking.execute(COORDINATOR, bid, "offer", {"interpreter_ids": [interpreter["user_id"]]})
    return bid


def parked_by_cli(data_dir) -> str:
    """What the operator's `parked` command lists, on the running service's store."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_STORE_URL")}
    done = subprocess.run([sys.executable, "-m", "services.notification.cli", "parked"], cwd=ROOT, check=True,
                          env=dict(env, PYTHONPATH=str(ROOT), IMS_DATA_DIR=str(data_dir)),
                          capture_output=True, text=True, timeout=120)
    return done.stdout


def offers_received(smtp, bid: str) -> list[dict]:
    return [mail for mail in smtp.to(INTERPRETER_EMAIL) if f"/{bid}" in mail["body"]]


def test_an_offer_to_an_interpreter_notification_does_not_know_yet_reaches_them(services, amqp_uri, smtp):
    services("auth")
    services("booking")
    bid = offer_to_new_interpreter(amqp_uri)
    # Started now, notification knows no account: its first catch-up reads booking's events
    # (the offer) before auth's (the account).
    services("notification")
    wait_until(lambda: offers_received(smtp, bid), timeout=180)
    with rpc_proxy(amqp_uri) as rpc:
        assert rpc.notification.health()["parked"] == 0



# Its waits' own deadlines (minutes each on a loaded machine) decide, not pytest's 300 s.
@pytest.mark.timeout(900)
def test_an_offer_notification_cannot_check_with_auth_is_parked_then_sent_once_the_account_arrives(
        services, amqp_uri, smtp, tmp_path):
    auth = services("auth")
    services("booking")
    bid = offer_to_new_interpreter(amqp_uri)
    # auth gone with its RPC queue: notification's calls to auth fail at once (nameko's
    # UnknownService), not after a timeout, so each of the projector's attempts is quick.
    auth.stop()
    _ctl("delete_queue", "-p", vhost_of(amqp_uri), "rpc-auth")
    services("notification")
    with rpc_proxy(amqp_uri) as rpc:
        # Five attempts, one per catch-up tick (2 s each on an idle machine), then parked.
        wait_until(lambda: rpc.notification.health()["parked"] == 1, timeout=300)
        [parked] = rpc.notification.parked()
        assert (parked["projector"], parked["type"]) == ("booking", "BookingOffered")
        assert parked["error"].startswith("UnknownRecipient") and parked["retry"] is False
        assert not offers_received(smtp, bid)
        listed = parked_by_cli(tmp_path)
        assert parked["event_id"] in listed and "UnknownRecipient" in listed

        # The account arrives (auth back, caught up): the parked offer is applied and sent, once.
        auth.start(timeout=120)
        wait_until(lambda: offers_received(smtp, bid), timeout=300)
        wait_until(lambda: rpc.notification.health()["parked"] == 0, timeout=120)
        assert rpc.notification.parked() == []
        assert [(d["kind"], d["status"]) for d in rpc.notification.deliveries({"booking_id": bid})
                if d["channel"] == "email"] == [("booking_offered", "sent")]
    assert len(offers_received(smtp, bid)) == 1


# Its waits' own deadlines (minutes each on a loaded machine) decide, not pytest's 300 s.
@pytest.mark.timeout(900)
def test_an_accept_whose_creator_has_no_account_is_parked_visibly_and_the_interpreter_still_told(
        services, amqp_uri, smtp, tmp_path):
    services("auth")
    services("booking")
    services("notification")
    interpreter = hire_interpreter(amqp_uri)
    stranger = {"user_id": "UBIZZ0099", "role": "coordinator", "name": "Sans Compte"}   # no account in auth
    with rpc_proxy(amqp_uri) as rpc:
        bid = rpc.booking.create_booking(stranger, booking_fields())["id"]
        rpc.booking.execute(stranger, bid, "offer", {"interpreter_ids": [interpreter["user_id"]]})
        rpc.booking.execute(interpreter, bid, "accept", {})
        wait_until(lambda: rpc.notification.health()["parked"] == 1, timeout=300)
        [parked] = rpc.notification.parked()
        assert (parked["projector"], parked["type"]) == ("booking", "BookingAccepted")
        assert parked["error"] == "UnknownRecipient: not in the copy of auth's accounts yet: UBIZZ0099"
        listed = parked_by_cli(tmp_path)
        assert parked["event_id"] in listed and "UBIZZ0099" in listed
        # The events after it go on, and the interpreter heard of the offer.
        last = rpc.booking.events_since(0, 1000)[-1]["position"]
        wait_until(lambda: rpc.notification.health()["checkpoint"] == last, timeout=120)
        wait_until(lambda: offers_received(smtp, bid), timeout=120)
