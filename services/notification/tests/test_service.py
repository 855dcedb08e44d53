"""The notification service over RabbitMQ, run as `make run` runs it, with the real booking service, a
real SMTP server and a real SMS provider stand-in: messages go out once, and a restarted service does
not resend a reminder. The clock is moved with NOTIFICATION_CLOCK_OFFSET_SECONDS (tests only)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from kombu import Connection, Exchange, Producer
from nameko.standalone.rpc import ClusterRpcProxy

from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.services import service_process
from ims_common.testing.wait import wait_until
from services.notification.tests.helpers import profile

COORDINATOR = {"user_id": "UBICB0001", "role": "coordinator", "name": "Coordination BI"}
INTERP = "UBIPN0002"


@pytest.fixture
def amqp_uri():
    with isolated_vhost() as uri:
        yield uri


def publish_auth_event(amqp_uri, envelope):
    with Connection(amqp_uri) as conn:
        Producer(conn).publish(envelope, exchange=Exchange("auth.events", type="topic", durable=True),
                               routing_key=envelope["type"], serializer="json")


def test_messages_go_out_once_and_a_restarted_service_does_not_resend_reminders(
        amqp_uri, tmp_path, smtp, sms_provider):
    env = {"IMS_DATA_DIR": str(tmp_path), "IMS_PUBLIC_URL": "https://ims.example.org",
           "SMTP_HOST": smtp.host, "SMTP_PORT": str(smtp.port), "SMTP_TLS": "none",
           "SMS_PROVIDER": "twilio", "SMS_API_URL": sms_provider.url, "SMS_ACCOUNT_SID": sms_provider.SID,
           "SMS_AUTH_TOKEN": sms_provider.TOKEN, "SMS_FROM": "+15140000000"}
    prof = profile(INTERP, "interpreter", "en", mobile="+15145550002")
    envelope = {"event_id": "auth-1", "type": "ProfileUpdated", "schema_version": 1, "stream_id": f"account-{INTERP}",
                "stream_version": 1, "position": 1, "occurred_at": "2025-09-01T16:00:00Z",
                "actor": {"user_id": "UBICB0001", "role": "coordinator"}, "correlation_id": None,
                "causation_id": None, "data": prof}
    fields = {"source_language": "Français", "target_language": "Arménien", "mode": "phone", "establishment": "HC",
              "date": (date.today() + timedelta(days=2)).isoformat(), "start_time": "10:00", "duration_minutes": 60,
              "context": "Santé mentale", "note_to_interpreter": "SECRET-NOTE"}

    def reminders():
        return [s for s in sms_provider.messages if "reminder" in s["body"].lower()]

    with service_process("booking", amqp_uri, tmp_path, env), ClusterRpcProxy({"AMQP_URI": amqp_uri}) as rpc:
        with service_process("notification", amqp_uri, tmp_path, env):
            publish_auth_event(amqp_uri, envelope)
            publish_auth_event(amqp_uri, envelope)        # delivered twice: applied once
            wait_until(lambda: rpc.notification.health()["auth_checkpoint"] == 1, timeout=20)
            booking = rpc.booking.create_booking(COORDINATOR, fields)
            rpc.booking.execute(COORDINATOR, booking["id"], "assign", {"interpreter_id": INTERP})
            wait_until(lambda: len(sms_provider.to("+15145550002")) == 1 and len(smtp.messages) == 1, timeout=20)
            assert "assigned to you" in sms_provider.messages[0]["body"]
            assert f"https://ims.example.org/reservations/{booking['id']}" in sms_provider.messages[0]["body"]
            assert "SECRET" not in sms_provider.messages[0]["body"] + smtp.messages[0]["body"]
            log = rpc.notification.deliveries({"booking_id": booking["id"]})
            assert {(d["channel"], d["status"]) for d in log} == {("sms", "sent"), ("email", "sent")}
        # Restarted a day later (moved clock): the reminder goes once; restarted again: not again.
        start = datetime.fromisoformat(booking["start_at"].replace("Z", "+00:00"))
        offset = (start - timedelta(hours=24) - datetime.now(timezone.utc)).total_seconds() + 60
        later = dict(env, NOTIFICATION_CLOCK_OFFSET_SECONDS=str(offset))
        with service_process("notification", amqp_uri, tmp_path, later):
            wait_until(lambda: len(reminders()) == 1, timeout=20)
        with service_process("notification", amqp_uri, tmp_path, later):
            # A new offer goes through a full tick (timers first, then deliveries) of the restarted service.
            other = rpc.booking.create_booking(COORDINATOR, fields)
            rpc.booking.execute(COORDINATOR, other["id"], "offer", {"interpreter_ids": [INTERP]})
            # Both channels of the offer sent (email and SMS go out independently, in either order).
            wait_until(lambda: {(d["channel"], d["status"]) for d in
                                rpc.notification.deliveries({"booking_id": other["id"]})}
                       == {("sms", "sent"), ("email", "sent")}, timeout=20)
            assert len(reminders()) == 1
            assert len([m for m in smtp.messages if "reminder" in m["subject"].lower()]) == 1
            assert len(sms_provider.to("+15145550002")) == 3        # assigned, reminder, offer: each once
