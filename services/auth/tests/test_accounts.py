"""Accounts: who creates what, identifiers, unique emails, reading and listing."""
import json

import pytest

from ims_common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ims_common.tokens import verify_token
from services.auth.app.reservations import EMAILS
from services.auth.tests.conftest import KEYS, PASSWORD

INTERPRETER = {"email": "pepe@example.org", "first_name": "Pépé", "last_name": "Nommé",
               "role": "interpreter", "password": PASSWORD}
REQUESTER = {"email": "dre.tremblay@example.org", "first_name": "Julie", "last_name": "Tremblay",
             "role": "requester", "establishment": "HC", "display_language": "en"}


def as_actor(account):
    return {"user_id": account["user_id"], "role": account["default_role"],
            "establishment": account["establishment"]}


def test_coordinator_creates_interpreter(app, coordinator):
    account = app.accounts.create_account(coordinator, INTERPRETER)
    assert account == {
        "user_id": "UBIPN0002", "email": "pepe@example.org", "first_name": "Pépé", "last_name": "Nommé",
        "role": "interpreter", "secondary_role": None, "default_role": "interpreter",
        "establishment": None, "display_language": "fr", "active": True,
        "must_change_password": True, "created_at": account["created_at"]}
    assert account["created_at"].endswith("Z")
    # The password is the coordinator's choice: the first sign-in only lets the person replace it.
    first = app.login.login("UBIPN0002", PASSWORD, None)
    assert first["password_change_required"] is True and "refresh_token" not in first
    assert first["user"] == account


def test_without_password_a_temporary_one_is_emailed_never_returned(app, coordinator, sent):
    account = app.accounts.create_account(coordinator, REQUESTER)
    assert "temporary_password" not in account
    message = sent.last("temporary_password")
    assert message["recipient"]["email"] == REQUESTER["email"] and message["params"]["link"] == "https://ims.example/connexion"
    temporary = message["params"]["password"]
    assert account["must_change_password"] is True
    assert account["establishment"] == "HC" and account["display_language"] == "en"
    assert "temporary_password" not in app.accounts.get_account(coordinator, account["user_id"])
    result = app.login.login(REQUESTER["email"], temporary, None)
    claims = verify_token(result["access_token"], KEYS)
    assert (claims["est"], claims["lang"], claims["mcp"]) == ("HC", "en", True)
    assert temporary not in json.dumps([e.to_dict() for e in app.ctx.events.read_all(0)])


def test_identifier_sequence_is_unique_overall(app, coordinator):
    ids = [app.accounts.create_account(coordinator, dict(INTERPRETER, email=f"p{i}@example.org"))["user_id"]
           for i in range(3)]
    other = app.accounts.create_account(coordinator, dict(REQUESTER))["user_id"]
    assert ids + [other] == ["UBIPN0002", "UBIPN0003", "UBIPN0004", "UBIJT0005"]


def test_email_is_unique_whatever_its_case(app, coordinator):
    app.accounts.create_account(coordinator, INTERPRETER)
    with pytest.raises(ValidationFailed) as err:
        app.accounts.create_account(coordinator, dict(INTERPRETER, email=" PEPE@Example.org"))
    assert err.value.code == "account.email_taken"
    assert err.value.fields == {"email": ["account.email_taken"]}
    # the refused attempt used no sequence number
    assert app.accounts.create_account(coordinator, dict(REQUESTER))["user_id"] == "UBIJT0003"


def test_stale_email_claim_left_by_a_crash_is_taken_over(app, coordinator, stores, clock):
    _, docs, _ = stores
    docs.insert(EMAILS, "pepe@example.org", {"user_id": None, "claimed_at": clock().isoformat()})
    with pytest.raises(ValidationFailed):  # maybe a creation in progress
        app.accounts.create_account(coordinator, INTERPRETER)
    clock.advance(minutes=5)
    assert app.accounts.create_account(coordinator, INTERPRETER)["email"] == "pepe@example.org"


def test_failed_append_releases_the_email(app, coordinator, monkeypatch):
    real_append = app.ctx.events.append

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(app.ctx.events, "append", broken)
    with pytest.raises(OSError):
        app.accounts.create_account(coordinator, INTERPRETER)
    monkeypatch.setattr(app.ctx.events, "append", real_append)
    assert app.accounts.create_account(coordinator, INTERPRETER)["email"] == "pepe@example.org"


def test_stream_already_there_is_a_conflict(app, coordinator, stores):
    _, docs, _ = stores
    from services.auth.app.reservations import NUMBERS
    docs.drop(NUMBERS)  # a lost numbering would reuse UBI..0001's number
    with pytest.raises(Conflict):
        app.accounts.create_account(coordinator, dict(INTERPRETER, first_name="Carl", last_name="Ouimet"))
    assert app.accounts.create_account(coordinator, INTERPRETER)["user_id"] == "UBIPN0002"


@pytest.mark.parametrize("role", ["interpreter", "requester", None])
def test_only_staff_create_accounts(app, role):
    with pytest.raises(Forbidden):
        app.accounts.create_account({"user_id": "UBIPN0002", "role": role}, INTERPRETER)
    with pytest.raises(Forbidden):
        app.accounts.create_account(None, INTERPRETER)


def test_only_admin_creates_admin(app, coordinator, admin):
    with pytest.raises(Forbidden):
        app.accounts.create_account(coordinator, dict(INTERPRETER, role="admin"))
    with pytest.raises(Forbidden):
        app.accounts.create_account(coordinator, dict(INTERPRETER, role="coordinator", secondary_role="admin"))
    assert app.accounts.create_account(admin, dict(INTERPRETER, role="admin"))["role"] == "admin"


def test_create_validates(app, coordinator):
    with pytest.raises(ValidationFailed) as err:
        app.accounts.create_account(coordinator, dict(REQUESTER, establishment=None, password="weak"))
    assert err.value.code == "request.invalid"
    assert err.value.fields == {"establishment": ["field.required"], "password": [
        "password.too_short", "password.needs_uppercase", "password.needs_digit", "password.needs_special"]}
    assert [r["code"] for r in err.value.params["reasons"]] == err.value.fields["password"]


def test_event_names_its_actor_and_has_no_secret(app, coordinator):
    app.accounts.create_account(coordinator, INTERPRETER)
    first, second = app.events.events_since(0, 10)
    assert first["actor"] == {"user_id": "system", "role": "system"}
    assert second["type"] == "AccountCreated" and second["stream_id"] == "account-UBIPN0002"
    assert second["actor"] == {"user_id": coordinator["user_id"], "role": "coordinator"}
    assert not {"password", "password_hash"} & set(second["data"])
    assert PASSWORD not in json.dumps(second) and "argon2" not in json.dumps(second)
    assert app.events.events_since(1, 10) == [second]
    assert app.events.events_since(0, 1) == [first]


def test_events_since_validates(app):
    for position, limit in ((-1, 10), ("0", 10), (0, 0), (True, 10)):
        with pytest.raises(ValidationFailed):
            app.events.events_since(position, limit)


def test_health(app, coordinator):
    assert app.events.health() == {"service": "auth", "ok": True, "last_position": 1, "parked": 0}


# ---- reading ----

def test_get_account_self_or_staff(app, coordinator):
    pepe = app.accounts.create_account(coordinator, INTERPRETER)
    julie = app.accounts.create_account(coordinator, REQUESTER)
    assert app.accounts.get_account(as_actor(pepe), "ubipn0002") == pepe
    seen = app.accounts.get_account(coordinator, julie["user_id"])    # staff also see lock and MFA state
    assert seen == dict(julie, locked=False, failed_attempts=0, locked_at=None, mfa_enabled=False)
    with pytest.raises(NotFound) as err:
        app.accounts.get_account(as_actor(pepe), julie["user_id"])
    assert err.value.code == "account.not_found"
    for missing in ("UBIXX0099", "", None):
        with pytest.raises(NotFound):
            app.accounts.get_account(coordinator, missing)


def test_list_accounts_filters_and_pages(app, coordinator, admin):
    for i in range(4):
        app.accounts.create_account(coordinator, dict(INTERPRETER, email=f"p{i}@example.org", last_name=f"Nommé{i}"))
    app.accounts.create_account(coordinator, REQUESTER)
    app.accounts.create_account(admin, dict(INTERPRETER, email="both@example.org", first_name="Émilie",
                                   last_name="Aubé", role="coordinator", secondary_role="interpreter"))
    everyone = app.accounts.list_accounts(coordinator, {})
    assert everyone["total"] == 7 and everyone["page"] == 1 and everyone["per_page"] == 50
    assert [a["last_name"] for a in everyone["items"]][:2] == ["Aubé", "Nommé0"]   # by name
    interpreters = app.accounts.list_accounts(coordinator, {"role": "interpreter", "per_page": 2, "page": 2})
    assert interpreters["total"] == 5   # the secondary role counts
    assert [a["last_name"] for a in interpreters["items"]] == ["Nommé1", "Nommé2"]
    assert app.accounts.list_accounts(coordinator, {"establishment": "HC"})["total"] == 1
    assert app.accounts.list_accounts(coordinator, {"active": True})["total"] == 7
    found = app.accounts.list_accounts(coordinator, {"q": "emilie", "role": "interpreter"})
    assert [a["email"] for a in found["items"]] == ["both@example.org"]
    assert app.accounts.list_accounts(coordinator, {"q": "UBIPN000"})["total"] == 4
    assert all(set(a) == set(everyone["items"][0]) for a in everyone["items"])
    assert "search" not in everyone["items"][0] and "version" not in everyone["items"][0]


def test_list_accounts_staff_only(app, coordinator):
    pepe = app.accounts.create_account(coordinator, INTERPRETER)
    with pytest.raises(Forbidden):
        app.accounts.list_accounts(as_actor(pepe), {})


@pytest.mark.parametrize("query,field", [({"role": "boss"}, "role"), ({"page": 0}, "page"),
                                         ({"per_page": 201}, "per_page"), ({"per_page": "5"}, "per_page"),
                                         ({"active": "yes"}, "active"), ({"$where": "1"}, "$where"),
                                         ({"establishment": "hc"}, "establishment")])
def test_list_query_is_validated(app, coordinator, query, field):
    with pytest.raises(ValidationFailed) as err:
        app.accounts.list_accounts(coordinator, query)
    assert field in err.value.fields


# ---- read model ----

def test_read_model_rebuilds_from_events(app, coordinator, stores):
    app.accounts.create_account(coordinator, INTERPRETER)
    app.accounts.create_account(coordinator, REQUESTER)
    before = app.accounts.list_accounts(coordinator, {})
    assert app.ctx.view.rebuild() == 3
    assert app.accounts.list_accounts(coordinator, {}) == before
    assert app.ctx.view.catch_up() == 0


def test_catch_up_projects_what_a_crash_left_behind(app, coordinator, stores):
    _, docs, _ = stores
    app.accounts.create_account(coordinator, INTERPRETER)
    docs.delete("accounts", "UBIPN0002")   # as if the service died right after append
    assert app.ctx.view.catch_up() == 2             # idempotent for the coordinator's event
    assert app.accounts.get_account(coordinator, "UBIPN0002")["email"] == "pepe@example.org"
    assert app.login.login("pepe@example.org", PASSWORD, None)


def test_bootstrap_refuses_weak_or_missing_password(app):
    with pytest.raises(ValidationFailed) as err:
        app.accounts.bootstrap_coordinator("c@example.org", "Claire", "Ouellet", "password")
    assert err.value.fields == {"password": ["password.too_short", "password.needs_uppercase",
                                             "password.needs_digit", "password.needs_special"]}
    with pytest.raises(ValidationFailed) as err:
        app.accounts.bootstrap_coordinator("c@example.org", "Claire", "Ouellet", None)
    assert err.value.fields == {"password": ["field.required"]}
    with pytest.raises(ValidationFailed):
        app.accounts.bootstrap_coordinator("not-an-email", "Claire", "Ouellet", PASSWORD)
    assert app.events.events_since(0) == []
