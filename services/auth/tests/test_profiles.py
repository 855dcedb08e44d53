"""Profiles (services/auth/app/profiles.py, profile_files.py, document_expiry.py) on each storage adapter: every field round-trips, who may
edit what, ProfileUpdated in the account's stream, files, the coordinators' list, document expiry."""
from __future__ import annotations

import base64
from datetime import datetime, timezone

import pytest

from ims_common.errors import Forbidden, NotFound, ValidationFailed
from services.auth.domain import profile as P

PDF = b"%PDF-1.4 test"


@pytest.fixture
def profiles(app):
    return app.profiles


PASSWORD = "Correct-Horse-Battery-9!"   # typed by the coordinator: what the step-up checks


def make(app, coordinator, role="interpreter", email=None, **extra):
    fields = {"email": email or f"{role}{len(app.ctx.docs.find('accounts'))}@example.org", "first_name": "Pepe",
              "last_name": "Nomme", "role": role, "password": PASSWORD, **extra}
    account = app.accounts.create_account(coordinator, fields)
    return {"user_id": account["user_id"], "role": role, "name": "Pepe Nomme",
            "establishment": account.get("establishment")}


@pytest.fixture
def interpreter(app, coordinator):
    return make(app, coordinator, email="nomme2@example.org")


@pytest.fixture
def other(app, coordinator):
    return make(app, coordinator, email="autre@example.org")


SELF_FIELDS = {
    "email": "nomme2@yahoo.ca", "mobile": "+1 581 990 9582", "phone": "1 (581) 990 9582", "display_language": "en",
    "list_view": "apres/tableau", "gender": "female", "region": "08-Abitibi-Témiscamingue", "address": "1001 3e Avenue E",
    "postal_code": "j9p0j7", "country": "Canada", "work_region_postal_code": "J9P 0J7",
    "home_coordinates": {"lat": 48.1, "lon": -77.8},
    "request_types": ["video", "in_person", "phone"],
    "notifications": {"sms_disabled": True, "email_disabled": False},
    "availability": {"always": False, "slots": [{"weekday": 0, "start": "08:00", "end": "17:00"}]},
    "inactivity_periods": [{"start": "2024-10-28T11:07:00-04:00", "end": "2024-10-31T16:07:00-04:00",
                            "reason": "Vacances"}],
    "eligibility_documents": [{"name": "Permis de travail / d'étude", "description": "Permis",
                               "expires_on": "2030-03-30", "comments": "Renouvelé"}],
}
STAFF_FIELDS = {
    "first_name": "Pepe2", "last_name": "Nomme2",
    "language_pairs": [{"source": "Anglais", "target": "Hongrois", "country": None},
                       {"source": "Français", "target": "Arménien", "country": "Arménie"}],
    "contexts": ["DPJ", "Santé mentale"],
    "financial": {"legal_name": "Nomme Pepe", "supplier_number": "UBIPN001", "gst_registered": True,
                  "gst_number": "123456789RT0001", "gst_from": "2024-01-01", "gst_to": None,
                  "qst_registered": True, "qst_number": "1234567890TQ0001", "qst_from": "2024-01-01",
                  "qst_to": "2025-12-31"},
    "establishment_blocks": [{"establishment": "HC", "reason": "Demande de l'établissement"}],
}


def test_a_new_account_has_every_field_of_the_screen(profiles, interpreter):
    profile = profiles.get_profile(interpreter, interpreter["user_id"])
    expected = {"user_id", "role", "secondary_role", "default_role", "active", "first_name", "last_name", "email",
                "mobile", "phone", "display_language", "list_view", "gender", "region", "address", "postal_code", "country",
                "work_region_postal_code", "home_coordinates", "request_types", "language_pairs", "contexts",
                "notifications", "availability", "eligibility_documents", "financial", "inactivity_periods",
                "establishment_blocks", "establishment", "facility", "cost_centers", "files", "updated_at",
                "updated_by", "available_for_offers", "unavailable_reasons", "warnings"}
    assert expected <= set(profile)
    assert profile["available_for_offers"] is True and profile["availability"]["always"] is True


def test_every_field_round_trips_and_is_published_whole(app, profiles, interpreter, coordinator):
    uid = interpreter["user_id"]
    with pytest.raises(ValidationFailed) as exc:        # her email and phones: not without her password
        profiles.update_profile(interpreter, uid, SELF_FIELDS)
    assert exc.value.fields == {"current_password": ["auth.contact_step_up_required"]}
    profiles.update_profile(interpreter, uid, SELF_FIELDS, PASSWORD)
    profiles.update_profile(coordinator, uid, STAFF_FIELDS)
    profile = profiles.get_profile(coordinator, uid)
    assert profile["postal_code"] == "J9P 0J7" and profile["mobile"] == "+15819909582"
    assert profile["inactivity_periods"][0]["start"] == "2024-10-28T15:07:00Z"
    assert profile["request_types"] == ["in_person", "phone", "video"]
    doc = profile["eligibility_documents"][0]
    assert doc["id"] and doc["expires_on"] == "2030-03-30" and doc["inactive_if_invalid"] is False
    for key, value in STAFF_FIELDS.items():
        assert profile[key] == value, key
    for key in ("email", "gender", "region", "address", "country", "notifications", "availability",
                "home_coordinates", "display_language"):
        assert profile[key] == SELF_FIELDS[key], key
    assert profile["updated_by"]["user_id"] == coordinator["user_id"]
    # Sent back as read, nothing changes and nothing is refused.
    again = {k: profile[k] for k in P.INTERPRETER_FIELDS + P.BASIC}
    assert profiles.update_profile(interpreter, uid, again)["language_pairs"] == STAFF_FIELDS["language_pairs"]
    # In the account's own stream, after AccountCreated, with the full profile.
    stream = app.ctx.events.load_stream(f"account-{uid}")
    assert [e.type for e in stream] == ["AccountCreated"] + ["ProfileUpdated"] * 3
    last = stream[-1]
    assert last.schema_version == 1 and last.data["financial"] == STAFF_FIELDS["financial"]
    assert last.data["email"] == "nomme2@yahoo.ca" and "warnings" not in last.data
    assert last.actor == {"user_id": uid, "role": "interpreter"}
    # The new email logs in; the old one is free again.
    assert app.accounts.get_account(coordinator, uid)["email"] == "nomme2@yahoo.ca"
    assert app.ctx.view.by_email("nomme2@yahoo.ca")["user_id"] == uid


def test_requester_fields(app, profiles, coordinator):
    requester = make(app, coordinator, "requester", establishment="HC")
    uid = requester["user_id"]
    out = profiles.update_profile(requester, uid, {"facility": "Hôpital de Verdun", "phone": "514 555-0199",
                                                   "cost_centers": [{"code": "7110", "description": "Urgence"}]},
                                  PASSWORD)
    assert out["establishment"] == "HC" and out["cost_centers"] == [{"code": "7110", "description": "Urgence"}]
    with pytest.raises(Forbidden) as exc:
        profiles.update_profile(requester, uid, {"establishment": "CHUM"})
    assert exc.value.fields == {"establishment": ["profile.field_forbidden"]}
    with pytest.raises(ValidationFailed) as exc:
        profiles.update_profile(requester, uid, {"language_pairs": []})
    assert exc.value.fields == {"language_pairs": ["profile.field_not_applicable"]}
    assert profiles.update_profile(coordinator, uid, {"establishment": "CHUM"})["establishment"] == "CHUM"
    assert app.accounts.get_account(coordinator, uid)["establishment"] == "CHUM"


@pytest.mark.parametrize("field", sorted(STAFF_FIELDS))
def test_coordinator_only_fields_are_403_naming_the_field(profiles, interpreter, field):
    with pytest.raises(Forbidden) as exc:
        profiles.update_profile(interpreter, interpreter["user_id"], {field: STAFF_FIELDS[field]})
    assert field in exc.value.fields


def test_inactive_if_invalid_is_the_banks(profiles, interpreter, coordinator):
    uid = interpreter["user_id"]
    with pytest.raises(Forbidden):
        profiles.update_profile(interpreter, uid, {"eligibility_documents": [
            {"name": "Permis", "expires_on": "2030-01-01", "inactive_if_invalid": True}]})
    doc = profiles.update_profile(coordinator, uid, {"eligibility_documents": [
        {"name": "Permis", "expires_on": "2030-01-01", "inactive_if_invalid": True}]})["eligibility_documents"][0]
    for change in ({**doc, "expires_on": "2040-01-01"}, {**doc, "inactive_if_invalid": False}, None):
        with pytest.raises(Forbidden):
            profiles.update_profile(interpreter, uid, {"eligibility_documents": [change] if change else []})
    # Adding one of their own beside it is fine.
    out = profiles.update_profile(interpreter, uid, {"eligibility_documents": [doc, {"name": "Carte OTTIAQ"}]})
    assert len(out["eligibility_documents"]) == 2


def test_others_profiles_are_404(profiles, interpreter, other, app, coordinator):
    requester = make(app, coordinator, "requester", establishment="HC")
    for who in (other, requester):
        with pytest.raises(NotFound):
            profiles.get_profile(who, interpreter["user_id"])
        with pytest.raises(NotFound):
            profiles.update_profile(who, interpreter["user_id"], {"phone": "514 555 0000"})
        with pytest.raises(NotFound):
            app.files.add_file(who, interpreter["user_id"], {"filename": "a.pdf", "content_type": "application/pdf",
                                                           "content_base64": base64.b64encode(PDF).decode()})
    with pytest.raises(NotFound):
        profiles.get_profile(coordinator, "UBIZZ9999")


@pytest.mark.parametrize("patch, field", [
    ({"postal_code": "12345", "country": "Canada"}, "postal_code"),
    ({"work_region_postal_code": "ABC"}, "work_region_postal_code"),
    ({"region": "18-Ailleurs"}, "region"),
    ({"request_types": ["teleportation"]}, "request_types"),
    ({"mobile": "12"}, "mobile"),
    ({"availability": {"slots": [{"weekday": 7, "start": "08:00", "end": "09:00"}]}}, "availability.slots.weekday"),
    ({"availability": {"slots": [{"weekday": 1, "start": "10:00", "end": "09:00"}]}}, "availability.slots.end"),
    ({"inactivity_periods": [{"start": "2024-10-28T11:07", "end": "2024-10-29T11:07:00Z"}]},
     "inactivity_periods.start"),
    ({"notifications": {"sms_disabled": "yes"}}, "notifications.sms_disabled"),
    ({"user_id": "UBIXX0001"}, "user_id"),
    ({"available_for_offers": True}, "available_for_offers"),
    ({"nope": 1}, "nope"),
    ({"address": {"$gt": ""}}, "address"),
    ({"email": {"$gt": ""}}, "email"),
    ({"contexts": [{"$gt": ""}]}, "contexts"),
    ({"gender": {"$ne": None}}, "gender"),
    ({"list_view": "tout"}, "list_view"),
])
def test_bad_values_are_refused(profiles, interpreter, patch, field):
    with pytest.raises(ValidationFailed) as exc:
        profiles.update_profile(interpreter, interpreter["user_id"], patch)
    assert field in exc.value.fields, exc.value.fields


def test_foreign_postal_code_is_free_text(profiles, interpreter):
    out = profiles.update_profile(interpreter, interpreter["user_id"], {"country": "Autriche", "postal_code": "1010"})
    assert out["postal_code"] == "1010"


def test_financial_needs_numbers_when_registered(profiles, coordinator, interpreter):
    with pytest.raises(ValidationFailed) as exc:
        profiles.update_profile(coordinator, interpreter["user_id"], {"financial": {"gst_registered": True,
                                                                                    "gst_number": "12"}})
    assert {"financial.gst_number", "financial.gst_from"} <= set(exc.value.fields)


def test_both_notifications_off_warns(profiles, interpreter):
    out = profiles.update_profile(interpreter, interpreter["user_id"],
                                  {"notifications": {"sms_disabled": True, "email_disabled": True}})
    assert out["warnings"] == ["profile.notifications_all_disabled"]
    out = profiles.update_profile(interpreter, interpreter["user_id"], {"notifications": {"email_disabled": False}})
    assert out["warnings"] == [] and out["notifications"] == {"sms_disabled": True, "email_disabled": False}


def test_files_in_the_blob_store(app, profiles, interpreter, other, coordinator):
    uid = interpreter["user_id"]
    out = app.files.add_file(interpreter, uid, {"filename": "C:\\fakepath\\cheque.pdf", "content_type": "application/pdf",
                                               "content_base64": base64.b64encode(PDF).decode(),
                                               "description": "Pour le dépôt direct", "name": "Spécimen de chèque"})
    meta = out["files"][0]
    assert meta["filename"] == "cheque.pdf" and meta["size"] == len(PDF) and meta["added_by"] == uid
    assert (meta["name"], meta["description"]) == ("Spécimen de chèque", "Pour le dépôt direct")
    assert app.files.get_file(coordinator, uid, meta["id"]) == (meta, PDF)
    with pytest.raises(NotFound):
        app.files.get_file(other, uid, meta["id"])
    with pytest.raises(ValidationFailed):
        app.files.add_file(interpreter, uid, {"filename": "x.png", "content_type": "image/png",
                                             "content_base64": base64.b64encode(PDF).decode()})
    with pytest.raises(ValidationFailed):
        app.files.add_file(interpreter, uid, {"filename": "x.exe", "content_type": "application/x-msdownload",
                                             "content_base64": base64.b64encode(b"MZ").decode()})
    with pytest.raises(ValidationFailed):
        profiles.update_profile(interpreter, uid, {"files": []})
    assert app.files.delete_file(interpreter, uid, meta["id"])["files"] == []


def test_coordinators_list_by_language_and_expiring_documents(app, profiles, coordinator, clock):
    clock.now = datetime(2025, 3, 1, 15, 0, tzinfo=timezone.utc)
    a, b = make(app, coordinator), make(app, coordinator)
    make(app, coordinator, "requester", establishment="HC")
    profiles.update_profile(coordinator, a["user_id"], {"language_pairs": [{"source": "Français", "target": "Arménien"}],
                                                        "eligibility_documents": [{"name": "Permis",
                                                                                   "expires_on": "2025-03-20"}]})
    profiles.update_profile(coordinator, b["user_id"], {"language_pairs": [{"source": "Français", "target": "Swahili"}],
                                                        "eligibility_documents": [{"name": "Permis",
                                                                                   "expires_on": "2025-06-20"}]})
    ids = lambda q: [p["user_id"] for p in profiles.list_profiles(coordinator, q)["items"]]  # noqa: E731
    assert len(ids({"role": "interpreter"})) == 2
    assert ids({"role": "interpreter", "language": "armenien"}) == [a["user_id"]]
    assert ids({"role": "interpreter", "document_expiring_within_days": 30}) == [a["user_id"]]
    with pytest.raises(Forbidden):
        profiles.list_profiles(a, {})
    with pytest.raises(ValidationFailed):
        profiles.list_profiles(coordinator, {"language": {"$gt": ""}})


def test_expired_locking_document_makes_the_interpreter_unavailable_once_on_its_expiry_date(
        app, profiles, coordinator, interpreter, clock):
    uid = interpreter["user_id"]
    clock.now = datetime(2025, 3, 29, 12, 0, tzinfo=timezone.utc)
    profiles.update_profile(coordinator, uid, {"eligibility_documents": [
        {"name": "Permis de travail", "expires_on": "2025-03-30", "inactive_if_invalid": True},
        {"name": "Carte", "expires_on": "2025-03-30", "inactive_if_invalid": False}]})
    assert app.expiry.expire_documents() == 0
    # 23:59 in Montreal on the 29th: still valid.
    clock.now = datetime(2025, 3, 30, 3, 59, tzinfo=timezone.utc)
    assert app.expiry.expire_documents() == 0
    assert profiles.get_profile(coordinator, uid)["available_for_offers"] is True
    # 00:00 on the expiry date in Montreal (04:00 UTC, daylight time).
    clock.now = datetime(2025, 3, 30, 4, 0, tzinfo=timezone.utc)
    assert app.expiry.expire_documents() == 1
    assert app.expiry.expire_documents() == 0
    clock.advance(days=3)
    assert app.expiry.expire_documents() == 0
    profile = profiles.get_profile(coordinator, uid)
    assert profile["available_for_offers"] is False
    assert [r["code"] for r in profile["unavailable_reasons"]] == ["eligibility_document_expired"]
    last = app.ctx.events.load_stream(f"account-{uid}")[-1]
    assert last.type == "ProfileUpdated" and last.actor["user_id"] == "system"
    assert last.data["available_for_offers"] is False
    # Renewed by the bank: available again, and the new date is watched again.
    doc = profile["eligibility_documents"][0]
    out = profiles.update_profile(coordinator, uid, {"eligibility_documents": [{**doc, "expires_on": "2025-05-01"}]})
    assert out["available_for_offers"] is True
    clock.now = datetime(2025, 5, 1, 4, 0, tzinfo=timezone.utc)
    assert app.expiry.expire_documents() == 1 and app.expiry.expire_documents() == 0


def test_a_document_entered_already_expired_needs_no_second_event(profiles, coordinator, interpreter, app):
    uid = interpreter["user_id"]
    out = profiles.update_profile(coordinator, uid, {"eligibility_documents": [
        {"name": "Permis", "expires_on": "2020-01-01", "inactive_if_invalid": True}]})
    assert out["available_for_offers"] is False
    version = app.ctx.events.stream_version(f"account-{uid}")
    assert app.expiry.expire_documents() == 0
    assert app.ctx.events.stream_version(f"account-{uid}") == version


def test_rebuild_gives_the_same_profiles(profiles, interpreter, coordinator):
    profiles.update_profile(coordinator, interpreter["user_id"], STAFF_FIELDS)
    before = profiles.get_profile(coordinator, interpreter["user_id"])
    profiles.rebuild()
    assert profiles.get_profile(coordinator, interpreter["user_id"]) == before
