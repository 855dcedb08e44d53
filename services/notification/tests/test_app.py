"""NotificationApp with a clock the test moves, a real SMTP server (aiosmtpd) and a real HTTP server in
Twilio's format on loopback."""
from __future__ import annotations

import contextlib

import json

import pytest

from ims_common.projection import MAX_ATTEMPTS

from ims_common.money import format_money
from services.notification.adapters.senders import OutboxSender, SmtpSender, TwilioSmsSender
from services.notification.bootstrap import senders_from_env
from services.notification.app import NotificationApp
from services.notification.tests.helpers import NO_FETCH, PUBLIC, SENSITIVE, Feed, make_app, profile

INTERP, REQ, COORD = "UBIPN0002", "UBIRQ0001", "UBICB0001"

MARKERS = {  # kind -> (French, English): a word each language's text has
    "booking_offered": ("nouvelle demande", "new request"),
    "booking_accepted": ("réservée", "booked"),
    "booking_assigned_interpreter": ("vous est assignée", "assigned to you"),
    "booking_modified": ("modifiée", "modified"),
    "booking_cancelled": ("annulée", "cancelled"),
    "booking_withdrawn": ("retiré", "withdrew"),
    "offer_withdrawn": ("autre interprète", "another interpreter"),
    "booking_reminder": ("rappel", "reminder"),
    "remuneration_final": ("finalisée", "finalised"),
    "document_expiring": ("expire le", "expires on"),
    "unfilled_digest": ("non pourvue", "unfilled"),
    "temporary_password": ("mot de passe temporaire", "temporary password"),
    "reset_link": ("réinitialis", "reset"),
    "mfa_code": ("code de vérification", "verification code"),
    "password_changed": ("a été changé", "was changed"),
}


@pytest.fixture
def app(tmp_path, clock, smtp, sms_provider):
    return make_app(tmp_path, clock, smtp, sms_provider, retry_base_seconds=10)


def people(feed, lang="fr", **interp):
    feed.profile(profile(INTERP, "interpreter", lang, first_name="Pepe", last_name="Interprète",
                         mobile="+15145550002", **interp))
    feed.profile(profile(REQ, "requester", lang, first_name="Rita", last_name="Demandeuse",
                         mobile="+15145550101", establishment="HC"))
    feed.profile(profile(COORD, "coordinator", lang, first_name="Coco", last_name="Coordonne",
                         mobile="+15145550201"))


def texts(smtp, sms_provider):
    mails = [("email", m["to"][0], (m["subject"] + "\n" + m["body"])) for m in smtp.messages]
    sms = [("sms", s["to"], s["body"]) for s in sms_provider.messages]
    return mails + sms


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_row_of_the_matrix_sends_the_right_message_in_the_right_language_without_health_data(
        lang, app, clock, feed_factory, smtp, sms_provider):
    feed = feed_factory(app)
    # The interpreter's eligibility document expires in 30 days (Montreal date of the clock: 2025-09-01).
    people(feed, lang, eligibility_documents=[{"id": "d1", "name": "Antécédents judiciaires",
                                               "expires_on": "2025-10-01", "inactive_if_invalid": True}])
    # B1: offered, accepted, modified, cancelled.
    feed.create("HC-25244001", "2025-09-04T14:00:00Z")
    feed.booking("HC-25244001", "BookingOffered", {"interpreter_ids": [INTERP]})
    feed.booking("HC-25244001", "BookingAccepted", {"interpreter_id": INTERP}, {"user_id": INTERP, "role": "interpreter"})
    # B4: offered to two; the other one accepted, so the offer to the interpreter is withdrawn. The
    # other has an account (notification parks an event naming someone unknown) and no channel on.
    feed.profile(profile("UBIXX0007", "interpreter", lang, first_name="UBIXX0007", last_name="",
                         sms_disabled=True, email_disabled=True))
    feed.create("HC-25244004", "2025-09-05T14:00:00Z")
    feed.booking("HC-25244004", "BookingOffered", {"interpreter_ids": [INTERP, "UBIXX0007"]})
    feed.booking("HC-25244004", "BookingAccepted", {"interpreter_id": "UBIXX0007"},
                 {"user_id": "UBIXX0007", "role": "interpreter"})
    feed.booking("HC-25244004", "OffersWithdrawn", {"interpreter_ids": [INTERP], "reason": "taken"})
    feed.booking("HC-25244001", "BookingModified", {"changes": {"start_at": "2025-09-05T14:00:00Z",
                                                                "start_time": "10:00"}, "status": "modified"})
    feed.booking("HC-25244001", "BookingCancelled", {"cancelled_at": "2025-09-01T16:00:00Z", "reason": "Usager absent",
                                                     "previous_status": "modified"})
    # B2: assigned, then withdrawn: pending within 48 hours, so in the digest.
    feed.create("HC-25244002", "2025-09-02T18:00:00Z")
    feed.booking("HC-25244002", "BookingAssigned", {"interpreter_id": INTERP})
    feed.booking("HC-25244002", "BookingWithdrawn", {"interpreter_id": INTERP, "reason": "Malade"})
    # B3: assigned, reminded 24 hours before, remuneration finalised.
    feed.create("HC-25244003", "2025-09-03T16:00:00Z")
    feed.booking("HC-25244003", "BookingAssigned", {"interpreter_id": INTERP})
    app.tick()                              # document expiry and today's digest are due
    clock.advance(days=1, minutes=30)       # 2025-09-02 16:30Z: B3's reminder is due
    app.tick()
    feed.payroll("RemunerationCalculated", {"kind": "provisional", "booking_id": "HC-25244003",
                                            "interpreter_id": INTERP, "total": "82.00"})
    feed.payroll("RemunerationCalculated", {"kind": "final", "booking_id": "HC-25244003", "interpreter_id": INTERP,
                                            "remuneration": {"total": "82.00", "policy_version": "2024-11-04"}})
    recipient = {"user_id": "UBIPN0009", "email": "new@example.org", "mobile": "+15145550009", "lang": lang}
    app.send_account_message("temporary_password", recipient, {"password": "Tmp-Pass-123"})
    app.send_account_message("reset_link", recipient, {"url": "https://ims.example.org/reset/tok"})
    app.send_account_message("mfa_code", recipient, {"code": "482913", "channel": "sms"})
    app.send_account_message("mfa_code", recipient, {"code": "482914", "channel": "email"})
    app.send_account_message("password_changed", recipient, {})
    app.process_due()

    interp_email, interp_sms = f"{INTERP.lower()}@example.org", "+15145550002"
    req_email, req_sms = f"{REQ.lower()}@example.org", "+15145550101"
    coord_email, coord_sms = f"{COORD.lower()}@example.org", "+15145550201"
    expected = [
        ("booking_offered", interp_email, interp_sms), ("booking_accepted", req_email, req_sms),
        ("booking_accepted", "dr.demandeuse@hopital.example", None),
        ("booking_modified", interp_email, interp_sms), ("booking_cancelled", interp_email, interp_sms),
        ("booking_assigned_interpreter", interp_email, interp_sms),
        ("booking_withdrawn", coord_email, coord_sms), ("booking_reminder", interp_email, interp_sms),
        ("offer_withdrawn", interp_email, interp_sms),
        ("remuneration_final", interp_email, interp_sms), ("document_expiring", interp_email, interp_sms),
        ("document_expiring", coord_email, coord_sms), ("unfilled_digest", coord_email, coord_sms),
        ("temporary_password", "new@example.org", None), ("reset_link", "new@example.org", None),
        ("mfa_code", "new@example.org", "+15145550009"), ("password_changed", "new@example.org", None),
    ]
    sent = texts(smtp, sms_provider)
    for kind, email, sms in expected:
        right = MARKERS[kind][0 if lang == "fr" else 1]
        for channel, address in (("email", email), ("sms", sms)):
            if address is None:
                continue
            hits = [t for c, a, t in sent if c == channel and a == address and right in t.lower()]
            assert hits, (kind, channel, address, [t for c, a, t in sent if a == address])
    # Every delivery went through, each once; no provisional remuneration message.
    log = app.deliveries({})
    assert log and all(d["status"] == "sent" and d["attempts"] == 1 for d in log)
    assert all(d["lang"] == lang for d in log), {d["lang"] for d in log}
    assert len({d["id"] for d in log}) == len(log) == len(smtp.messages) + len(sms_provider.messages)
    assert not app.deliveries({"event_id": "pay-1"})
    # Acceptance gives the requester the interpreter's name and how to reach them.
    paid = [t for c, a, t in sent if a == interp_email and MARKERS["remuneration_final"][lang == "en"] in t.lower()]
    assert any(format_money("82.00", lang) in t for t in paid)
    accepted = [t for c, a, t in sent if a == req_email and MARKERS["booking_accepted"][lang == "en"] in t.lower()]
    assert any("Pepe Interprète" in t and "+15145550002" in t for t in accepted)
    # No health data anywhere; every booking SMS carries the link to the booking instead.
    for channel, _address, text in sent:
        for field, value in SENSITIVE.items():
            assert value not in text, (field, channel, text)
        assert "Dre Demandeuse" not in text
    for d in log:
        if d["booking_id"] and d["channel"] == "sms":
            sms_text = next(s["body"] for s in sms_provider.messages
                            if s["to"] == d["recipient"]["address"] and f"/reservations/{d['booking_id']}" in s["body"])
            assert sms_text.count(f"{PUBLIC}/reservations/{d['booking_id']}") == 1


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_report_sent_back_tells_its_author_with_a_link_to_the_report_form_but_not_the_comment(
        lang, app, smtp, sms_provider):
    """ServiceReportReturned: the interpreter who reported is told (email and SMS, their language);
    the link opens the booking's report form, where the page shows the comment (never in the message)."""
    feed = Feed(app)
    people(feed, lang)
    feed.create("HC-25244020", "2025-08-29T14:00:00Z")
    feed.booking("HC-25244020", "BookingAssigned", {"interpreter_id": INTERP})
    feed.booking("HC-25244020", "ServiceProvided", {"interpreter_id": INTERP, "report": {"provided": True}},
                 {"user_id": INTERP, "role": "interpreter"})
    feed.booking("HC-25244020", "ServiceReportReturned", {"comment": "Heure de fin SECRET-RETOUR à revoir"})
    app.process_due()
    told = [(c, t) for c, a, t in texts(smtp, sms_provider) if a in (f"{INTERP.lower()}@example.org", "+15145550002")
            and ("corrige" if lang == "fr" else "correct") in t.lower()]
    assert {c for c, _t in told} == {"email", "sms"}, told
    for _channel, text in told:
        assert f"{PUBLIC}/reservations/HC-25244020/rapport" in text and "SECRET-RETOUR" not in text
    assert not any(a == f"{COORD.lower()}@example.org" for _c, a, _t in texts(smtp, sms_provider))


@pytest.fixture
def feed_factory():
    return Feed


def test_switches_are_honoured_but_security_messages_go_regardless(app, smtp, sms_provider):
    feed = Feed(app)
    feed.profile(profile("UBIPN0011", "interpreter", sms_disabled=True, mobile="+15145550011"))
    feed.profile(profile("UBIPN0012", "interpreter", email_disabled=True, mobile="+15145550012"))
    feed.profile(profile("UBIPN0013", "interpreter", sms_disabled=True, email_disabled=True, mobile="+15145550013"))
    feed.create("HC-25244010", "2025-09-04T14:00:00Z")
    feed.booking("HC-25244010", "BookingOffered", {"interpreter_ids": ["UBIPN0011", "UBIPN0012", "UBIPN0013"]})
    app.process_due()
    assert [m["to"] for m in smtp.messages] == [["ubipn0011@example.org"]]
    assert [s["to"] for s in sms_provider.messages] == ["+15145550012"]
    # Reset link and MFA code reach even the one who switched everything off; a password change notice does not.
    both_off = {"user_id": "UBIPN0013", "email": "ubipn0013@example.org", "mobile": "+15145550013", "lang": "fr"}
    assert len(app.send_account_message("reset_link", both_off, {"url": "https://x/reset"})["delivery_ids"]) == 1
    assert len(app.send_account_message("mfa_code", both_off, {"code": "123456", "channel": "sms"})["delivery_ids"]) == 1
    assert app.send_account_message("password_changed", both_off, {})["delivery_ids"] == []
    assert smtp.to("ubipn0013@example.org") and sms_provider.to("+15145550013")
    # The secret is not kept once sent.
    assert all("123456" not in str(app.docs.get("deliveries", d["id"])) for d in app.deliveries({"user_id": "UBIPN0013"}))


def test_a_provider_failing_twice_then_succeeding_gets_the_message_out_once(app, clock, sms_provider, smtp):
    feed = Feed(app)
    feed.profile(profile(INTERP, "interpreter", mobile="+15145550002", email_disabled=True))
    sms_provider.fail_next = 2
    feed.create("HC-25244020", "2025-09-04T14:00:00Z")
    feed.booking("HC-25244020", "BookingOffered", {"interpreter_ids": [INTERP]})
    app.process_due()
    [record] = app.deliveries({"booking_id": "HC-25244020"})
    assert record["status"] == "pending" and record["attempts"] == 1 and "500" in record["error"]
    app.process_due()                      # not due yet: backoff
    assert len(sms_provider.requests) == 1
    clock.advance(seconds=10)
    app.process_due()
    clock.advance(seconds=19)
    app.process_due()
    assert len(sms_provider.requests) == 2   # the second backoff is 20 s
    clock.advance(seconds=1)
    app.process_due()
    clock.advance(hours=1)
    app.process_due()
    assert len(sms_provider.requests) == 3 and len(sms_provider.messages) == 1
    [record] = app.deliveries({"booking_id": "HC-25244020"})
    assert record["status"] == "sent" and record["attempts"] == 3 and len(record["attempt_times"]) == 3
    assert record["attempt_times"] == ["2025-09-01T16:00:00Z", "2025-09-01T16:00:10Z", "2025-09-01T16:00:30Z"]


def test_after_the_last_attempt_a_delivery_is_failed_and_listed_for_coordinators(tmp_path, clock, smtp, sms_provider):
    app = make_app(tmp_path, clock, smtp, sms_provider, max_attempts=3, retry_base_seconds=1)
    feed = Feed(app)
    feed.profile(profile(INTERP, "interpreter", mobile="+15145550002", email_disabled=True))
    sms_provider.fail_next = 99
    feed.create("HC-25244021", "2025-09-04T14:00:00Z")
    feed.booking("HC-25244021", "BookingOffered", {"interpreter_ids": [INTERP]})
    for _ in range(6):
        app.process_due()
        clock.advance(seconds=60)
    assert len(sms_provider.requests) == 3
    [failed] = app.deliveries({"status": "failed"})
    assert failed["booking_id"] == "HC-25244021" and failed["attempts"] == 3 and failed["channel"] == "sms"


def test_a_permanent_refusal_is_not_retried(app, clock, sms_provider):
    feed = Feed(app)
    feed.profile(profile(INTERP, "interpreter", mobile="+15145550002", email_disabled=True))
    sms_provider.fail_next, sms_provider.fail_status = 1, 400
    feed.create("HC-25244022", "2025-09-04T14:00:00Z")
    feed.booking("HC-25244022", "BookingOffered", {"interpreter_ids": [INTERP]})
    app.process_due()
    clock.advance(hours=1)
    app.process_due()
    assert len(sms_provider.requests) == 1
    assert app.deliveries({"booking_id": "HC-25244022"})[0]["status"] == "failed"


def test_an_event_delivered_twice_or_replayed_sends_once(app, smtp, sms_provider):
    feed = Feed(app)
    people(feed)
    feed.create("HC-25244030", "2025-09-04T14:00:00Z")
    offered = feed.booking("HC-25244030", "BookingOffered", {"interpreter_ids": [INTERP]})
    app.on_booking_event(offered, NO_FETCH)          # redelivered by RabbitMQ
    app.process_due()
    assert len(smtp.messages) == 1 and len(sms_provider.messages) == 1
    # A replay from zero (checkpoint reset, catch-up from the source) sends nothing again.
    app.projector.reset()
    app.catch_up(lambda position, limit: [e for e in feed.sent if e["position"] > position][:limit])
    final = feed.payroll("RemunerationCalculated", {"kind": "final", "booking_id": "HC-25244030",
                                                    "interpreter_id": INTERP})
    app.on_payroll_event(final, NO_FETCH)            # redelivered
    app.payroll_projector.reset()                    # replayed
    app.catch_up_payroll(lambda position, limit: [final] if position < final["position"] else [])
    app.process_due()
    assert len(smtp.messages) == 2 and len(sms_provider.messages) == 2
    assert len(app.received()) == 2


def test_a_payroll_event_it_cannot_read_is_parked_and_the_others_are_told(app, feed_factory):
    feed = feed_factory(app)
    people(feed)
    feed.payroll("PayPeriodClosed", {"period_id": "2025-08-17"})                          # not for it
    feed.payroll("RemunerationCalculated", {"kind": "provisional", "booking_id": "HC-25244050"})  # not told
    unreadable = {"event_id": "e", "type": "RemunerationCalculated", "data": "nope", "position": 3,
                  "stream_id": "remuneration-x", "stream_version": 1, "schema_version": 1,
                  "occurred_at": "2025-09-01T16:00:00Z", "actor": {}, "correlation_id": None, "causation_id": None}
    feed.positions["payroll"] = 3
    source = [unreadable]
    for _ in range(MAX_ATTEMPTS):
        with contextlib.suppress(Exception):
            app.on_payroll_event(unreadable, lambda position, limit: [e for e in source if e["position"] > position])
    assert [p["event_id"] for p in app.parked()] == ["e"] and app.health()["parked"] == 1
    assert app.health()["payroll_checkpoint"] == 3
    feed.payroll("RemunerationCalculated", {"kind": "final", "booking_id": "HC-25244050", "interpreter_id": INTERP})
    assert {d["kind"] for d in app.deliveries({})} == {"remuneration_final"}


def test_reminders_move_with_the_booking_are_cancelled_and_survive_a_restart_without_firing_twice(
        tmp_path, clock, smtp, sms_provider):
    app = make_app(tmp_path, clock, smtp, sms_provider)
    feed = Feed(app)
    people(feed)
    feed.create("HC-25244040", "2025-09-03T14:00:00Z")
    feed.booking("HC-25244040", "BookingAssigned", {"interpreter_id": INTERP})
    feed.booking("HC-25244040", "BookingModified", {"changes": {"start_at": "2025-09-04T14:00:00Z"},
                                                    "status": "modified"})
    feed.create("HC-25244041", "2025-09-03T15:00:00Z")
    feed.booking("HC-25244041", "BookingAssigned", {"interpreter_id": INTERP})
    feed.booking("HC-25244041", "BookingCancelled", {"cancelled_at": "2025-09-01T16:00:00Z", "reason": "x",
                                                     "previous_status": "booked"})
    app.tick()
    before = len(sms_provider.messages)
    clock.now = clock.now.replace(day=2, hour=15)      # 2025-09-02 15:00Z: past both original due times
    app.tick()
    assert not [s for s in sms_provider.messages[before:] if "rappel" in s["body"].lower()]
    clock.now = clock.now.replace(day=3, hour=14, minute=1)   # the moved reminder is due
    app.tick()
    reminders = [s for s in sms_provider.messages if "rappel" in s["body"].lower()]
    assert len(reminders) == 1 and "HC-25244040" in reminders[0]["body"] and "2025-09-04" in reminders[0]["body"]
    app.tick()
    # Restart: a new application over the same store, later still; nothing fires twice.
    app.docs.close()
    restarted = make_app(tmp_path, clock, smtp, sms_provider)
    clock.advance(minutes=5)
    restarted.tick()
    restarted.tick()
    assert len([s for s in sms_provider.messages if "rappel" in s["body"].lower()]) == 1
    assert len([m for m in smtp.messages if "rappel" in m["subject"].lower()]) == 1


def test_the_digest_runs_once_a_day_and_only_with_unfilled_bookings(app, clock, smtp, sms_provider):
    feed = Feed(app)
    people(feed)
    app.tick()                                    # nothing unfilled: no digest today
    assert not smtp.to(f"{COORD.lower()}@example.org")
    feed.create("HC-25244050", "2025-09-02T20:00:00Z")       # unfilled, within 48 h tomorrow
    feed.create("HC-25244051", "2025-09-06T20:00:00Z")       # unfilled but later
    clock.now = clock.now.replace(day=2, hour=11, minute=5)  # 07:05 in Montreal
    app.tick()
    app.tick()
    digests = smtp.to(f"{COORD.lower()}@example.org")
    assert len(digests) == 1 and "HC-25244050" in digests[0]["body"] and "HC-25244051" not in digests[0]["body"]
    assert f"{PUBLIC}/reservations/HC-25244050" in digests[0]["body"]


def test_document_expiry_timers_follow_the_profile(app, clock, smtp):
    feed = Feed(app)
    people(feed)
    doc = {"id": "d1", "name": "Carte RAMQ", "expires_on": "2025-11-15", "inactive_if_invalid": False}
    feed.profile(profile(INTERP, "interpreter", eligibility_documents=[doc], mobile="+15145550002"))
    # Renewed before the notice: the old timer is cancelled, a new one is set for the new date.
    feed.profile(profile(INTERP, "interpreter", eligibility_documents=[dict(doc, expires_on="2026-11-15")],
                         mobile="+15145550002"))
    clock.now = clock.now.replace(month=10, day=16, hour=13)
    app.tick()
    assert not [m for m in smtp.messages if "Carte RAMQ" in m["subject"]]
    clock.now = clock.now.replace(year=2026)
    app.tick()
    mails = [m for m in smtp.messages if "Carte RAMQ" in m["subject"]]
    assert sorted(m["to"][0] for m in mails) == [f"{COORD.lower()}@example.org", f"{INTERP.lower()}@example.org"]


def test_the_outbox_is_the_default_and_the_environment_picks_the_senders(tmp_path, smtp, sms_provider):
    senders = senders_from_env({"IMS_DATA_DIR": str(tmp_path)})
    assert isinstance(senders["email"], OutboxSender) and isinstance(senders["sms"], OutboxSender)
    senders["sms"].send("+15145550002", None, "IMS : bonjour")
    senders["email"].send("a@example.org", "Sujet", "Corps")
    assert json.loads((tmp_path / "outbox" / "sms.jsonl").read_text())["body"] == "IMS : bonjour"
    assert json.loads((tmp_path / "outbox" / "email.jsonl").read_text())["subject"] == "Sujet"
    env = {"IMS_DATA_DIR": str(tmp_path), "SMTP_HOST": smtp.host, "SMTP_PORT": str(smtp.port), "SMTP_TLS": "none",
           "MAIL_FROM": "IMS <ims@example.org>", "SMS_PROVIDER": "twilio", "SMS_API_URL": sms_provider.url,
           "SMS_ACCOUNT_SID": sms_provider.SID, "SMS_AUTH_TOKEN": sms_provider.TOKEN, "SMS_FROM": "+15140000000"}
    senders = senders_from_env(env)
    assert isinstance(senders["email"], SmtpSender) and isinstance(senders["sms"], TwilioSmsSender)
    senders["email"].send("b@example.org", "Objet", "Texte")
    assert senders["sms"].send("+15145550003", None, "Texte").startswith("SM")
    assert smtp.messages[0]["from"] == "ims@example.org" and smtp.messages[0]["subject"] == "Objet"
    assert sms_provider.requests[0]["form"] == {"To": "+15145550003", "From": "+15140000000", "Body": "Texte"}
    with pytest.raises(ValueError):
        senders_from_env({"SMS_PROVIDER": "carrier-pigeon", "IMS_DATA_DIR": str(tmp_path)})


def test_unknown_account_message_kind_is_refused(app):
    from ims_common.errors import ValidationFailed
    with pytest.raises(ValidationFailed):
        app.send_account_message("hello", {"user_id": "U", "email": "u@example.org"}, {})
    assert isinstance(app, NotificationApp)


def test_a_batch_of_due_deliveries_pauses_between_sends(tmp_path, clock, smtp, sms_provider):
    """The service passes eventlet.sleep as `pause`: a long batch must let arriving events be recorded
    between two sends (bench: propagation to notification while deliveries drain)."""
    pauses = []
    app = make_app(tmp_path, clock, smtp, sms_provider, pause=lambda: pauses.append(len(smtp.messages)))
    feed = Feed(app)
    for n in range(3):
        feed.profile(profile(f"UBIPN002{n}", "interpreter", sms_disabled=True))
    feed.create("HC-25244030", "2025-09-04T14:00:00Z")
    feed.booking("HC-25244030", "BookingOffered", {"interpreter_ids": [f"UBIPN002{n}" for n in range(3)]})
    assert app.process_due() == 3
    assert pauses == [1, 2, 3]


def test_a_booking_event_it_cannot_fold_is_parked_not_skipped(app, feed_factory):
    feed = feed_factory(app)
    people(feed)
    orphan = feed._envelope("booking", "booking-HC-25244060", "BookingAccepted", {"interpreter_id": INTERP},
                            {"user_id": INTERP, "role": "interpreter"})
    for _ in range(MAX_ATTEMPTS):
        with contextlib.suppress(Exception):
            app.on_booking_event(orphan, NO_FETCH)
    [parked] = app.parked()
    assert (parked["projector"], parked["event_id"]) == ("booking", orphan["event_id"])
    assert "before BookingCreated" in parked["error"] and app.health()["checkpoint"] == orphan["position"]
    feed.create("HC-25244061", "2025-09-04T14:00:00Z")
    feed.booking("HC-25244061", "BookingOffered", {"interpreter_ids": [INTERP]})    # the next ones go on
    assert {d["kind"] for d in app.deliveries({})} == {"booking_offered"}


def test_every_kind_of_message_has_its_label_in_both_languages():
    from services.notification.contract import vocabulary
    from services.notification.domain.messages import TEMPLATES
    assert set(vocabulary.KIND_LABELS) == set(TEMPLATES)
    assert all(fr and en for fr, en in vocabulary.KIND_LABELS.values())


def test_the_service_hands_auth_s_events_since_to_a_booking_event_naming_someone_just_hired(app, feed_factory):
    """The service's handler, as nameko calls it: the offer to an interpreter hired a moment ago
    (not yet in the copy) catches up auth at its first try, no failure counted, nothing parked."""
    from types import SimpleNamespace

    from services.notification.service import NotificationService

    feed = feed_factory(app)
    feed.create("HC-25244070", "2025-09-04T14:00:00Z")
    hired = feed._envelope("auth", f"account-{INTERP}", "ProfileUpdated",
                           profile(INTERP, "interpreter", mobile="+15145550002"),
                           {"user_id": COORD, "role": "coordinator"})
    offer = feed._envelope("booking", "booking-HC-25244070", "BookingOffered", {"interpreter_ids": [INTERP]},
                           {"user_id": COORD, "role": "coordinator"})
    since = lambda source: lambda position, limit: [e for e in source if e["position"] > position][:limit]  # noqa: E731
    shell = SimpleNamespace(app=app, booking=SimpleNamespace(events_since=since(feed.sent + [offer])),
                            auth=SimpleNamespace(events_since=since([hired])))
    NotificationService.on_booking_event(shell, offer)
    assert app.health()["checkpoint"] == offer["position"] and app.health()["auth_checkpoint"] == 1
    assert app.docs.count("projection_failures") == 0 and app.parked() == []
    assert {(d["kind"], d["recipient"]["user_id"]) for d in app.deliveries({})} == {("booking_offered", INTERP)}


def _fails_until_parked(attempt) -> None:
    """The projector's attempts at an event, as the deliveries and catch-ups make them, until parked."""
    for _ in range(MAX_ATTEMPTS):
        with contextlib.suppress(Exception):
            attempt()


def test_an_accept_whose_creator_has_no_account_yet_is_parked_then_told_once_it_arrives(app, feed_factory):
    feed = feed_factory(app)
    feed.profile(profile(INTERP, "interpreter", mobile="+15145550002"))
    feed.create("HC-25244080", "2025-09-04T14:00:00Z", created_by=REQ)       # REQ: no account in the copy
    feed.booking("HC-25244080", "BookingOffered", {"interpreter_ids": [INTERP]})
    accepted = feed._envelope("booking", "booking-HC-25244080", "BookingAccepted", {"interpreter_id": INTERP},
                              {"user_id": INTERP, "role": "interpreter"})
    source = lambda position, limit: [e for e in feed.sent + [accepted] if e["position"] > position][:limit]  # noqa: E731
    _fails_until_parked(lambda: app.on_booking_event(accepted, source))
    [parked] = app.parked()
    assert (parked["projector"], parked["type"], parked["event_id"]) == ("booking", "BookingAccepted",
                                                                         accepted["event_id"])
    assert parked["error"] == f"UnknownRecipient: not in the copy of auth's accounts yet: {REQ}"
    assert app.health()["parked"] == 1 and app.health()["checkpoint"] == accepted["position"]
    # The others were told at the first attempt, once: the requester's address on the booking.
    told = lambda: sorted((d["kind"], d["recipient"].get("user_id") or d["recipient"]["address"], d["channel"])  # noqa: E731
                          for d in app.deliveries({}) if d["kind"] == "booking_accepted")
    assert told() == [("booking_accepted", "dr.demandeuse@hopital.example", "email")]

    feed.profile(profile(REQ, "requester", email="rita@example.org", mobile="+15145550101"))
    app.catch_up(source)                 # the next catch-up: the creator is known, the park retried
    assert app.parked() == [] and app.health()["parked"] == 0
    assert told() == [("booking_accepted", REQ, "email"), ("booking_accepted", REQ, "sms"),
                      ("booking_accepted", "dr.demandeuse@hopital.example", "email")]


def test_a_booking_an_outside_system_created_parks_nothing_for_its_creator(app, feed_factory):
    feed = feed_factory(app)
    feed.profile(profile(INTERP, "interpreter", mobile="+15145550002"))
    data = {"number": "HC-25244081", "start_at": "2025-09-04T14:00:00Z", "end_at": "2025-09-04T15:00:00Z",
            "source_language": "Français", "target_language": "Arménien", "mode": "phone", "establishment": "HC"}
    feed.booking("HC-25244081", "BookingCreated", data, {"user_id": "integration-hc", "role": "system"})
    feed.booking("HC-25244081", "BookingAssigned", {"interpreter_id": INTERP})
    assert app.parked() == [] and app.health()["checkpoint"] == 2
    assert {d["recipient"]["user_id"] for d in app.deliveries({})} == {INTERP}


def test_a_final_remuneration_for_an_interpreter_not_known_yet_is_parked_then_told_once_known(app, feed_factory):
    feed = feed_factory(app)
    final = {"kind": "final", "booking_id": "HC-25244082", "interpreter_id": INTERP,
             "remuneration": {"total": "123.45"}}
    envelope = feed._envelope("payroll", "remuneration-HC-25244082", "RemunerationCalculated", final,
                              {"user_id": "system", "role": "system"})
    source = lambda position, limit: [e for e in [envelope] if e["position"] > position][:limit]  # noqa: E731
    _fails_until_parked(lambda: app.on_payroll_event(envelope, source))
    [parked] = app.parked()
    assert (parked["projector"], parked["type"]) == ("payroll", "RemunerationCalculated")
    assert parked["error"] == f"UnknownRecipient: not in the copy of auth's accounts yet: {INTERP}"
    assert app.health()["parked"] == 1 and app.deliveries({}) == []

    feed.profile(profile(INTERP, "interpreter", mobile="+15145550002"))
    app.catch_up_payroll(source)
    assert app.parked() == []
    assert sorted((d["kind"], d["channel"]) for d in app.deliveries({})) == [
        ("remuneration_final", "email"), ("remuneration_final", "sms")]


def test_an_interpreter_hired_a_moment_ago_is_caught_up_from_auth_for_their_remuneration(app, feed_factory):
    feed = feed_factory(app)
    hired = feed._envelope("auth", f"account-{INTERP}", "ProfileUpdated",
                           profile(INTERP, "interpreter", mobile="+15145550002"),
                           {"user_id": COORD, "role": "coordinator"})
    envelope = feed._envelope("payroll", "remuneration-HC-25244083", "RemunerationCalculated",
                              {"kind": "final", "booking_id": "HC-25244083", "interpreter_id": INTERP,
                               "remuneration": {"total": "10.00"}}, {"user_id": "system", "role": "system"})
    app.on_payroll_event(envelope, NO_FETCH, lambda position, limit: [e for e in [hired] if e["position"] > position])
    assert app.parked() == [] and len(app.deliveries({})) == 2
