"""The public event contract (docs/events/): documents generated from the schemas, published
versions frozen, every event the domain emits valid against its schema once projected, upcasting of
older stored versions, and no private field leaving the service."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from jsonschema import Draft202012Validator

from ims_common.envelope import NewEvent
from ims_common.errors import ValidationFailed
from ims_common.messages import translate
from services.booking.contract import generate
from services.booking.contract.public import public_event
from services.booking.contract.schemas import REGISTRY, schema_for
from services.booking.contract.events import CURRENT, UPCASTERS, upcast

from .app_fixtures import SCENARIO_INTERPRETERS, Clock, Stores, hire
from .scenario import ALICE, BRUNO, COORD, FIELDS, NOW, REQUESTER, START, not_provided_report, provided_report

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PRIVATE = {"context_details": "Diagnostic: schizophrénie", "address": "12 rue Privée, app. 3",
           "appointment_location": "Salle 4B psychiatrie", "video_link": "https://visio.example/secret",
           "video_secret": "pin-zq4321", "requester_name": "Rita Demandeuse", "requester_phone": "514 555-0101",
           "requester_email": "rita@hc.example", "note_to_interpreter": "Patient agité",
           "message_to_interpreter": "Apportez le formulaire", "comments": "Dossier DQ-12345"}
# Each text is one no id, uuid or timestamp can contain by chance (a bare "4321" once matched an
# event id and failed the leak check at random).
SECRET_TEXTS = ["schizophrénie", "rue Privée", "psychiatrie", "secret", "zq4321", "Rita", "555-0101",
                "rita@", "agité", "formulaire", "DQ-12345", "RAS", "Usager absent", "Confirmation du rendez-vous",
                "Retard du médecin", "Stationnement", "recu.jpg", "Fin de dossier", "Conflit d'horaire",
                "Changement de programme"]


def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((generate.DOCS / name).read_text()))


@pytest.fixture
def app(tmp_path):
    stores = Stores(f"sqlite:///{tmp_path / 'booking.sqlite3'}")
    clock = Clock(NOW)
    booking_app = stores.app(clock)
    hire(booking_app, *SCENARIO_INTERPRETERS)
    yield booking_app, clock, stores
    stores.close()


def test_docs_events_match_the_schemas():
    """Fails when a schema and its document drift: run `python -m services.booking.contract.generate`."""
    files = generate.build(generate.committed_fingerprints())
    for name, text in files.items():
        path = generate.DOCS / name
        assert path.exists() and path.read_text() == text, f"docs/events/{name} is stale: regenerate"


def test_a_published_schema_never_changes_without_a_new_version():
    committed = generate.committed_fingerprints()
    for event_type, versions in REGISTRY.items():
        for version, schema_cls in versions.items():
            key = f"{event_type}.v{version}"
            assert key in committed, f"{key} is not in docs/events/fingerprints.json: regenerate"
            document = generate.json_schema(schema_cls, f"{event_type}V{version}",
                                            f"{event_type} data, schema_version {version}")
            document["$id"] = generate.BASE_ID + generate.event_file(event_type, version)
            assert generate.fingerprint(document) == committed[key], (
                f"{key} was published and its schema changed: add a new version with an upcaster")
    # and a version once published is never removed
    assert {k for k in committed} <= {f"{t}.v{v}" for t, vs in REGISTRY.items() for v in vs}


def test_the_generator_refuses_to_overwrite_a_published_version():
    forged = dict(generate.committed_fingerprints(), **{"BookingClosed.v1": "0" * 64})
    with pytest.raises(SystemExit, match="BookingClosed.v1"):
        generate.build(forged)


def test_every_version_has_a_schema_and_an_upcaster_path():
    for event_type, current in CURRENT.items():
        assert set(REGISTRY[event_type]) == set(range(1, current + 1))
        for version in range(1, current):
            assert (event_type, version) in UPCASTERS


def test_asyncapi_names_the_exchange_routing_keys_envelope_and_payloads():
    doc = json.loads((generate.DOCS / "asyncapi.json").read_text())
    assert doc["asyncapi"].startswith("3.")
    channel = doc["channels"]["bookingPublic"]
    assert channel["bindings"]["amqp"]["exchange"]["name"] == "booking.public"
    assert set(doc["components"]["messages"]) == set(CURRENT)
    for name, message in doc["components"]["messages"].items():
        refs = json.dumps(message["payload"])
        assert "./envelope.json" in refs and f"./{name}.v{CURRENT[name]}.json" in refs
        assert (generate.DOCS / f"{name}.v{CURRENT[name]}.json").exists()


def _drive_every_command(app, clock):
    """Every command of the domain, so every event type it can emit (including private fields)."""
    fields = dict(FIELDS, **PRIVATE)
    b1 = app.create_booking(REQUESTER, fields)["id"]
    app.execute(COORD, b1, "offer", {"interpreter_ids": [ALICE["user_id"], BRUNO["user_id"]]})
    app.execute(BRUNO, b1, "decline", {"reason": "Conflit d'horaire"})
    app.execute(ALICE, b1, "accept", {})
    app.execute(REQUESTER, b1, "modify", {"context_details": "Diagnostic: schizophrénie aiguë",
                                          "duration_minutes": 150})
    app.execute(REQUESTER, b1, "modify", {"note_to_interpreter": "Patient agité, prudence"})
    app.execute(ALICE, b1, "accept", {})
    app.execute(ALICE, b1, "withdraw", {"reason": "Changement de programme", "communications": [
        {"at": "2024-08-27T09:00:00-04:00", "purpose": "Confirmation du rendez-vous"}]})
    app.execute(COORD, b1, "assign", {"interpreter_id": BRUNO["user_id"]})
    clock.now = START + timedelta(hours=3)
    app.execute(BRUNO, b1, "report", provided_report(
        actual_end="2024-09-03T12:00:00-04:00", overtime_reason="Retard du médecin"))
    app.execute(BRUNO, b1, "correct-report", provided_report())
    app.execute(BRUNO, b1, "attachments", {"filename": "recu.jpg", "content_type": "image/jpeg",
                                           "content_base64": base64.b64encode(JPEG).decode(),
                                           "description": "Stationnement"})
    app.execute(COORD, b1, "close", {"comment": "Fin de dossier"})
    clock.now = NOW
    b2 = app.create_booking(REQUESTER, fields)["id"]
    app.execute(COORD, b2, "assign", {"interpreter_id": ALICE["user_id"]})
    app.execute(REQUESTER, b2, "cancel", {"reason": "Usager absent"})
    app.execute(ALICE, b2, "report", not_provided_report())
    return b1, b2


def test_every_event_the_domain_emits_validates_against_its_published_schema(app):
    app, clock, _ = app
    _drive_every_command(app, clock)
    stored = app.events_since(0, 1000)
    envelope = _validator("envelope.json")
    seen = set()
    for event in stored:
        published = public_event(event)
        if published is None:
            continue             # a type outside the contract never leaves the service
        seen.add(event["type"])
        assert event["schema_version"] == CURRENT[event["type"]]
        envelope.validate(published)
        _validator(generate.event_file(event["type"], published["schema_version"])).validate(published["data"])
        assert schema_for(event["type"]).validate(published["data"]) == {}
        text = json.dumps(published, ensure_ascii=False)
        leaked = [s for s in SECRET_TEXTS if s in text]
        assert not leaked, (event["type"], leaked)
    assert seen == set(CURRENT)
    # the store keeps the full event for internal use
    assert stored[0]["data"]["context_details"] == PRIVATE["context_details"]


def test_public_events_since_pages_through_the_public_projection(app):
    app, clock, _ = app
    _drive_every_command(app, clock)
    total = len(app.events_since(0, 1000))
    items, after = [], 0
    while True:
        page = app.public_events_since(after, 5)
        if page["next_after"] == after:
            break
        items += page["items"]
        after = page["next_after"]
    assert after == total
    assert [e["position"] for e in items] == sorted(e["position"] for e in items)
    assert all(public_event(e) == e for e in items)       # already projected: idempotent


def test_a_cursor_beyond_the_last_position_is_refused_not_answered_empty(app):
    """A client whose cursor is past the end (a typo, a restored IMS) must not believe it is up to
    date: the end itself is fine (an empty page), one past it is a 400 naming the last position."""
    app, clock, _ = app
    app.create_booking(REQUESTER, FIELDS)
    last = app.events_since(0, 1000)[-1]["position"]
    assert app.public_events_since(last, 10) == {"items": [], "next_after": last}
    for beyond in (last + 1, last + 10_000):
        with pytest.raises(ValidationFailed) as refused:
            app.public_events_since(beyond, 10)
        assert refused.value.code == "booking.events_after_beyond_last"
        assert refused.value.params == {"after": beyond, "last": last}
        assert list(refused.value.fields) == ["after"]
        assert "dépasse" in translate(refused.value.code, "fr", refused.value.params)


def test_an_older_stored_version_loads_as_the_current_one(app):
    """A BookingWithdrawn stored as v1 (no communications) reads as v2 through events_since, the
    public projection and the booking itself."""
    app, clock, stores = app
    bid = app.create_booking(REQUESTER, FIELDS)["id"]
    app.execute(COORD, bid, "assign", {"interpreter_id": ALICE["user_id"]})
    stream = f"booking-{bid}"
    stores.event_store.append(stream, 2, [NewEvent(
        "BookingWithdrawn", {"interpreter_id": ALICE["user_id"], "reason": "ancien format"},
        schema_version=1, actor=COORD)])
    raw = stores.event_store.read_all(2, 10)[0]
    assert raw.schema_version == 1 and "communications" not in raw.data
    [event] = app.events_since(2, 10)
    assert event["schema_version"] == 2 and event["data"]["communications"] == []
    [published] = app.public_events_since(2, 10)["items"]
    assert published["schema_version"] == 2
    _validator("BookingWithdrawn.v2.json").validate(published["data"])
    detail = app.get_booking(COORD, bid)
    assert detail["status"] == "pending" and detail["assigned_interpreter_id"] is None
    assert upcast({"type": "BookingWithdrawn", "schema_version": 2, "data": {"x": 1}})["data"] == {"x": 1}


def test_the_context_category_leaves_only_for_a_subscriber_granted_it(app):
    """Issue 18: `context` (e.g. Santé physique) is opt-in: out of the public projection by default,
    in it with context=True (booking.public.context, events:context), valid against the same schema."""
    app, clock, _ = app
    bid = app.create_booking(REQUESTER, FIELDS)["id"]
    app.execute(REQUESTER, bid, "modify", {"context": "Santé mentale", "duration_minutes": 90})
    created, modified = app.events_since(0, 1000)[-2:]
    assert created["data"]["context"] == FIELDS["context"]
    plain = [public_event(created), public_event(modified)]
    full = [public_event(created, context=True), public_event(modified, context=True)]
    assert "context" not in plain[0]["data"] and "context" not in plain[1]["data"]["changes"]
    assert plain[1]["data"]["changes"]["duration_minutes"] == 90
    assert full[0]["data"]["context"] == FIELDS["context"]
    assert full[1]["data"]["changes"] == dict(plain[1]["data"]["changes"], context="Santé mentale")
    for event in plain + full:
        _validator(generate.event_file(event["type"], event["schema_version"])).validate(event["data"])
    assert "Santé" not in json.dumps(app.public_events_since(0, 100), ensure_ascii=False)
    assert [e["data"] for e in app.public_events_since(0, 100, context=True)["items"]][-2:] == \
        [f["data"] for f in full]
    assert app.public_feeds()["booking.public"](created) == plain[0]
    assert app.public_feeds()["booking.public.context"](created) == full[0]
