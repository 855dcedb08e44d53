"""Issue 18: a booking event that names someone notification's copy of auth's accounts does not know
yet (an interpreter hired and offered a booking at once) is not dropped: notification catches up
auth's events and tells them. Through the real services, the broker and an SMTP server."""
from __future__ import annotations

from ims_common.testing.message_sinks import smtp_sink
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

