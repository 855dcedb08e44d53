"""Builders for the notification tests: profiles, booking envelopes fed to a NotificationApp."""
from __future__ import annotations

import uuid

from types import SimpleNamespace

from ims_common.stores import open_document_store
from services.notification import bootstrap
from services.notification.adapters.senders import SmtpSender, TwilioSmsSender
from services.notification.app import NotificationApp

PUBLIC = "https://ims.example.org"
COORD_ACTOR = {"user_id": "UBICB0001", "role": "coordinator"}
NO_FETCH = lambda position, limit: []  # noqa: E731

# What a booking may hold that must never reach a message.
SENSITIVE = {
    "context": "Santé mentale DPJ", "context_details": "SECRET-CONTEXT-DETAILS",
    "address": "1234 rue Secrète", "facility": "Pavillon Secret", "appointment_location": "Domicile SECRET",
    "note_to_interpreter": "SECRET-NOTE", "message_to_interpreter": "SECRET-MESSAGE",
    "comments": "SECRET-COMMENT", "video_link": "https://meet.example.org/SECRET-LINK",
    "video_secret": "SECRET-VIDEO-CODE", "cost_center_description": "SECRET-UNIT Psychiatrie",
}


def profile(user_id, role, lang="fr", *, email=None, mobile=None, sms_disabled=False, email_disabled=False,
            first_name="Pepe", last_name="Nomme", **extra):
    return {"user_id": user_id, "role": role, "secondary_role": None, "default_role": role, "active": True,
            "first_name": first_name, "last_name": last_name,
            "email": email if email is not None else f"{user_id.lower()}@example.org",
            "mobile": mobile if mobile is not None else "+1514555" + user_id[-4:], "phone": None,
            "display_language": lang,
            "notifications": {"sms_disabled": sms_disabled, "email_disabled": email_disabled},
            "eligibility_documents": [], **extra}


class Feed:
    """Envelopes in position order, one source each, handed to the app as the service would."""

    def __init__(self, app: NotificationApp):
        self.app = app
        self.positions = {"booking": 0, "auth": 0, "payroll": 0}
        self.versions: dict[str, int] = {}
        self.sent: list[dict] = []

    def _envelope(self, source, stream_id, type, data, actor):
        self.positions[source] += 1
        self.versions[stream_id] = self.versions.get(stream_id, 0) + 1
        return {"event_id": str(uuid.uuid4()), "type": type, "schema_version": 1, "stream_id": stream_id,
                "stream_version": self.versions[stream_id], "position": self.positions[source],
                "occurred_at": "2025-09-01T16:00:00Z", "actor": actor, "correlation_id": None,
                "causation_id": None, "data": data}

    def booking(self, number, type, data, actor=COORD_ACTOR) -> dict:
        envelope = self._envelope("booking", f"booking-{number}", type, data, actor)
        self.app.on_booking_event(envelope, NO_FETCH)
        self.sent.append(envelope)
        return envelope

    def create(self, number, start_at, created_by="UBIRQ0001", **fields) -> dict:
        data = {"number": number, "start_at": start_at, "end_at": start_at, "status": "pending",
                "source_language": "Français", "target_language": "Arménien", "mode": "in_person",
                "establishment": number.split("-")[0], "date": start_at[:10], "start_time": "10:00",
                "duration_minutes": 60, "requester_name": "Dre Demandeuse",
                "requester_email": "dr.demandeuse@hopital.example", **SENSITIVE, **fields}
        return self.booking(number, "BookingCreated", data, {"user_id": created_by, "role": "requester"})

    def payroll(self, type, data, event_id=None) -> dict:
        envelope = self._envelope("payroll", f"remuneration-{data.get('booking_id') if isinstance(data, dict) else 'x'}",
                                  type, data, {"user_id": "system", "role": "system"})
        if event_id:
            envelope["event_id"] = event_id
        self.app.on_payroll_event(envelope, NO_FETCH)
        return envelope

    def profile(self, prof: dict) -> dict:
        envelope = self._envelope("auth", f"account-{prof['user_id']}", "ProfileUpdated", prof,
                                  {"user_id": "UBICB0001", "role": "coordinator"})
        self.app.on_auth_event(envelope, NO_FETCH)
        return envelope


def make_app(tmp_path, clock, smtp, sms_provider, name="notification", **kwargs) -> NotificationApp:
    docs = open_document_store(f"sqlite:///{tmp_path / (name + '.sqlite3')}")
    senders = {"email": SmtpSender(smtp.host, smtp.port, mail_from="IMS <ims@example.org>"),
               "sms": TwilioSmsSender(sms_provider.url, sms_provider.SID, sms_provider.TOKEN, "+15140000000")}
    return bootstrap.build(SimpleNamespace(doc_store=docs), {}, senders=senders, clock=clock, public_url=PUBLIC,
                           **kwargs)
