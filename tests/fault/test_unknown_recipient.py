"""Issue 18: a booking event that names someone notification's copy of auth's accounts does not know
yet (an interpreter hired and offered a booking at once) is not dropped. Notification catches up
auth's events and tells them; when auth cannot be asked, the event is parked (health, CLI) and
applied once the account arrives. Through the real services, the broker and an SMTP server."""
from __future__ import annotations

from ims_common.testing.message_sinks import smtp_sink
from ims_common.testing.rabbit import _ctl, vhost_of
from ims_common.testing.wait import wait_until
from tests.fault.conftest import COORDINATOR, booking_fields, hire_interpreter, rpc_proxy

INTERPRETER_EMAIL = "ilya.interprete@example.org"


def offer_to_new_interpreter(amqp_uri: str) -> str:
    interpreter = hire_interpreter(amqp_uri)
    with rpc_proxy(amqp_uri) as rpc:
        bid = rpc.booking.create_booking(COORDINATOR, booking_fields())["id"]
        rpc.booking.execute(COORDINATOR, bid, "offer", {"interpreter_ids": [interpreter["user_id"]]})
    return bid


def offers_received(smtp, bid: str) -> list[dict]:
    return [mail for mail in smtp.to(INTERPRETER_EMAIL) if f"/{bid}" in mail["body"]]


def test_an_offer_to_an_interpreter_notification_does_not_know_yet_reaches_them(services, amqp_uri, monkeypatch):
    with smtp_sink() as smtp:
        monkeypatch.setenv("SMTP_HOST", smtp.host)
        monkeypatch.setenv("SMTP_PORT", str(smtp.port))
        services("auth")
        services("booking")
        bid = offer_to_new_interpreter(amqp_uri)
        # Started now, notification knows no account: its first catch-up reads booking's events
        # (the offer) before auth's (the account).
        services("notification")
        wait_until(lambda: offers_received(smtp, bid), timeout=180)
        with rpc_proxy(amqp_uri) as rpc:
            assert rpc.notification.health()["parked"] == 0


def test_an_offer_notification_cannot_check_with_auth_is_parked_then_sent_once_auth_answers(
        services, amqp_uri, monkeypatch):
    with smtp_sink() as smtp:
        monkeypatch.setenv("SMTP_HOST", smtp.host)
        monkeypatch.setenv("SMTP_PORT", str(smtp.port))
        auth = services("auth")
        services("booking")
        bid = offer_to_new_interpreter(amqp_uri)
        # auth gone, its RPC queue with it: a call to auth fails at once (not after a timeout).
        auth.stop()
        _ctl("delete_queue", "-p", vhost_of(amqp_uri), "rpc-auth")
        services("notification")
        with rpc_proxy(amqp_uri) as rpc:
            wait_until(lambda: rpc.notification.health()["parked"] == 1, timeout=180)
            [parked] = rpc.notification.parked()
            assert (parked["projector"], parked["type"]) == ("booking", "BookingOffered")
            assert parked["error"].startswith("UnknownRecipient")
            assert not offers_received(smtp, bid)

            auth.start(timeout=120)
            wait_until(lambda: offers_received(smtp, bid), timeout=180)
            wait_until(lambda: rpc.notification.health()["parked"] == 0, timeout=60)
        assert len(offers_received(smtp, bid)) == 1
