"""What an operator and the service's own rules need beyond the matrix: the booking copy is booking's
contract fold without health data; failed deliveries go back in the queue from the CLI (secrets
excepted); the copies rebuild from the events telling no one."""
from __future__ import annotations

import json

from ims_common.times import utc_now
from services.notification import cli
from services.notification.app.records import BOOKINGS
from services.notification.tests.helpers import SENSITIVE, Feed, make_app, profile

INTERP, COORD = "UBIPN0002", "UBICB0001"


def test_the_copy_is_bookings_own_fold_without_health_data(tmp_path, clock, smtp, sms_provider):
    app = make_app(tmp_path, clock, smtp, sms_provider)
    feed = Feed(app)
    feed.profile(profile(INTERP, "interpreter", mobile="+15145550002"))
    feed.profile(profile("UBIRQ0001", "requester", mobile="+15145550101"))     # the creator (told by account)
    feed.create("HC-25244050", "2025-09-04T14:00:00+00:00")
    feed.booking("HC-25244050", "BookingAssigned", {"interpreter_id": INTERP})
    feed.booking("HC-25244050", "BookingModified", {"changes": {"context": "Santé mentale", "address": "9 rue X",
                                                                "start_at": "2025-09-04T15:00:00Z"},
                                                    "status": "modified"})
    # A version-1 withdrawal (no communications field): upcast by booking's contract, then folded.
    feed.booking("HC-25244050", "BookingWithdrawn", {"interpreter_id": INTERP, "reason": "Malade"})
    copy = app.docs.get(BOOKINGS, "HC-25244050")
    assert copy["status"] == "pending" and copy["assigned_interpreter_id"] is None and copy["version"] == 4
    assert copy["start_at"] == "2025-09-04T15:00:00Z" and copy["created_by"] == "UBIRQ0001"
    stored = json.dumps(copy, ensure_ascii=False)
    for value in list(SENSITIVE.values()) + ["Santé mentale", "9 rue X", "Malade", "Dre Demandeuse"]:
        assert value not in stored
    assert {d["kind"] for d in app.deliveries({"booking_id": "HC-25244050"})} >= {
        "booking_assigned_interpreter", "booking_modified"}


def test_failed_deliveries_go_back_in_the_queue_from_the_cli_but_secrets_do_not(
        tmp_path, clock, smtp, sms_provider, monkeypatch, capsys):
    app = make_app(tmp_path, clock, smtp, sms_provider, max_attempts=1)
    monkeypatch.setenv("NOTIFICATION_STORE_URL", f"sqlite:///{tmp_path / 'notification.sqlite3'}")
    feed = Feed(app)
    feed.profile(profile(INTERP, "interpreter", mobile="+15145550002", email_disabled=True))
    sms_provider.fail_next = 2
    feed.create("HC-25244051", "2025-09-04T14:00:00Z")
    feed.booking("HC-25244051", "BookingOffered", {"interpreter_ids": [INTERP]})
    app.send_account_message("mfa_code", {"user_id": INTERP, "mobile": "+15145550002"}, {"code": "551234"})
    app.process_due()
    assert {d["kind"] for d in app.deliveries({"status": "failed"})} == {"booking_offered", "mfa_code"}

    assert cli.main(["deliveries", "--status", "failed"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 2 and all("body" not in d for d in listed)
    assert cli.main(["retry"]) == 0
    result = json.loads(capsys.readouterr().out)
    [offered] = [d["id"] for d in listed if d["kind"] == "booking_offered"]
    [code] = [d["id"] for d in listed if d["kind"] == "mfa_code"]
    assert result == {"requeued": [offered], "skipped": [code]}

    clock.now = utc_now()   # the CLI put them due at its own (real) time
    app.process_due()       # what the running service's tick does
    assert [d["status"] for d in app.deliveries({"booking_id": "HC-25244051"})] == ["sent"]
    assert [s["to"] for s in sms_provider.messages] == ["+15145550002"]
    assert "HC-25244051" in sms_provider.messages[0]["body"]


def test_the_copies_rebuild_from_the_events_and_tell_no_one(tmp_path, clock, smtp, sms_provider):
    app = make_app(tmp_path, clock, smtp, sms_provider)
    feed = Feed(app)
    feed.profile(profile(INTERP, "interpreter", mobile="+15145550002"))
    feed.profile(profile(COORD, "coordinator", mobile="+15145550201"))
    feed.create("HC-25244052", "2025-09-04T14:00:00Z", created_by=COORD)     # a creator with an account
    feed.booking("HC-25244052", "BookingOffered", {"interpreter_ids": [INTERP]})
    feed.booking("HC-25244052", "BookingAccepted", {"interpreter_id": INTERP}, {"user_id": INTERP, "role": "interpreter"})
    app.process_due()
    before = app.deliveries({})
    copy = app.docs.get(BOOKINGS, "HC-25244052")
    app.docs.put(BOOKINGS, "HC-25244052", dict(copy, status="closed"))     # a damaged copy

    # auth's source as events_since answers it: the two profiles at positions 1 and 2.
    auth = [{"event_id": f"a{n}", "type": "ProfileUpdated", "schema_version": 1, "stream_id": f"account-{p['user_id']}",
             "stream_version": 1, "position": n, "occurred_at": "2025-09-01T16:00:00Z", "actor": {},
             "correlation_id": None, "causation_id": None, "data": p}
            for n, p in enumerate([profile(INTERP, "interpreter", mobile="+15145550002"),
                                   profile(COORD, "coordinator", mobile="+15145550201")], start=1)]
    envelopes = {"booking": feed.sent, "auth": auth}

    def fetch(source):
        return lambda position, limit: [e for e in envelopes[source] if e["position"] > position][:limit]

    counts = app.rebuild(fetch("booking"), fetch("auth"))
    assert counts == {"auth": 2, "booking": 3, "bookings": 1, "profiles": 2}
    assert app.docs.get(BOOKINGS, "HC-25244052")["status"] == "booked"
    app.process_due()
    assert app.deliveries({}) == before            # nobody told twice
    assert app.health()["checkpoint"] == 3


def test_a_send_a_killed_process_interrupted_goes_out_once(tmp_path, clock):
    """A record marked `sending` (its process killed between the send and the record) is sent again
    by the next sender, flagged: the outbox writes it only when its line is not there yet."""
    from types import SimpleNamespace

    from ims_common.stores import open_document_store
    from services.notification import bootstrap
    from services.notification.adapters.senders import OutboxSender
    from services.notification.app.records import DELIVERIES

    outbox = tmp_path / "outbox"
    docs = open_document_store(f"sqlite:///{tmp_path / 'notification.sqlite3'}")
    app = bootstrap.build(SimpleNamespace(doc_store=docs), {}, clock=clock, public_url="https://ims.example",
                          senders={"email": OutboxSender(outbox, "email"), "sms": OutboxSender(outbox, "sms")})
    recipient = {"user_id": INTERP, "address": "ilya@example.org"}
    went_out = app._queue("e1", "booking_offered", "HC-1", recipient, "email", "fr", "Offre", "Une offre")
    never_sent = app._queue("e2", "booking_offered", "HC-1", recipient, "email", "fr", "Offre", "Une autre")
    for key in (went_out, never_sent):        # both claimed by a sender that was then killed…
        docs.put(DELIVERIES, key, dict(docs.get(DELIVERIES, key), sending=True))
    OutboxSender(outbox, "email").send("ilya@example.org", "Offre", "Une offre", key=went_out)   # …after one send
    assert app.process_due() == 2
    lines = [json.loads(t) for t in (outbox / "email.jsonl").read_text().splitlines()]
    assert sorted(line["id"] for line in lines) == sorted([went_out, never_sent])      # once each
    assert {(d["status"], d["attempts"]) for d in app.deliveries({"booking_id": "HC-1"})} == {("sent", 1)}
    assert docs.get(DELIVERIES, went_out)["sending"] is False
    assert app.process_due() == 0
    docs.close()
