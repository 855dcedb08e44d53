"""Sessions and their revocation (app/sessions.py, app/revocations.py, contract/revocations.py): what
each way of ending a session appends, and how a gateway reading those events judges the tokens. The
clock is the test's: a sign-in in the very second of a revocation is not refused."""
import pytest

from ims_common.errors import Unauthorized
from ims_common.tokens import verify_token
from services.auth.contract.revocations import RevocationList
from services.auth.tests.conftest import KEYS, PASSWORD

NEW = "Grenouille-Violette-Montagne-42"
IP = "203.0.113.9"


def claims(result):
    return verify_token(result["access_token"], KEYS)


def gateway_view(app) -> RevocationList:
    """What a gateway worker holds after loading auth's list in force."""
    view = RevocationList()
    view.load(app.revocations.in_force())
    return view


def pepe(app, coordinator):
    # From the command line: a password a coordinator chooses would have to be changed first.
    return app.accounts.create_account_as_operator({"email": "pepe@example.org", "first_name": "Pepe",
                                                    "last_name": "Nomme", "role": "interpreter",
                                                    "password": PASSWORD})


def test_each_sign_in_is_a_session_kept_through_refreshes(app, coordinator):
    pepe(app, coordinator)
    first = app.login.login("pepe@example.org", PASSWORD, IP)
    second = app.login.login("pepe@example.org", PASSWORD, IP)
    assert claims(first)["sid"] != claims(second)["sid"]
    renewed = app.sessions.refresh(first["refresh_token"])
    assert claims(renewed)["sid"] == claims(first)["sid"]


def test_sign_out_revokes_that_session_only(app, coordinator):
    pepe(app, coordinator)
    mine, other = (app.login.login("pepe@example.org", PASSWORD, IP) for _ in range(2))
    app.sessions.logout(mine["refresh_token"])
    app.sessions.logout(mine["refresh_token"])                    # twice: one event
    [event] = [e for e in app.ctx.events.read_all(0) if e.type == "SessionsRevoked"]
    assert event.stream_id == "session-" + claims(mine)["sid"]
    assert event.data["session_ids"] == [claims(mine)["sid"]] and event.data["not_before"] is None
    assert event.data["reason"] == "logout"
    assert event.data["expires_at"] == int(app.ctx.now()) + 900 + 1
    view = gateway_view(app)
    assert view.revoked(claims(mine)) and not view.revoked(claims(other))


def test_a_restricted_session_ends_by_its_access_token(app, coordinator, sent):
    app.accounts.create_account(coordinator, {"email": "tina@example.org", "first_name": "Tina",
                                              "last_name": "Temp", "role": "interpreter"})
    temporary = sent.last("temporary_password")["params"]["password"]
    restricted = app.login.login("tina@example.org", temporary, IP)
    actor = {"user_id": restricted["user"]["user_id"], "session_id": claims(restricted)["sid"]}
    app.sessions.logout(None, actor)
    assert gateway_view(app).revoked(claims(restricted))
    app.sessions.logout(None, {"user_id": "UBIXX0001", "session_id": claims(restricted)["sid"]})   # not theirs
    assert len(app.revocations.in_force()) == 1


def test_a_password_change_refuses_earlier_tokens_but_not_a_sign_in_in_the_same_second(app, coordinator):
    pepe(app, coordinator)
    here, elsewhere = (app.login.login("pepe@example.org", PASSWORD, IP) for _ in range(2))
    actor = {"user_id": here["user"]["user_id"], "role": "interpreter", "session_id": claims(here)["sid"]}
    app.passwords.change_password(actor, PASSWORD, NEW, NEW)
    after = app.login.login("pepe@example.org", NEW, IP)       # the clock has not moved: same second
    event = [e for e in app.ctx.events.load_stream("account-" + here["user"]["user_id"])][-1]
    assert (event.type, event.data["reason"]) == ("SessionsRevoked", "password_changed")
    assert event.data["not_before"] == int(app.ctx.now())
    assert sorted(event.data["session_ids"]) == sorted([claims(here)["sid"], claims(elsewhere)["sid"]])
    view = gateway_view(app)
    assert view.revoked(claims(here)) and view.revoked(claims(elsewhere))
    assert not view.revoked(claims(after))
    old_token_without_session = dict(claims(here), sid=None, iat=claims(here)["iat"] - 1)
    assert view.revoked(old_token_without_session)             # not_before covers what sessions miss


def test_a_second_factor_turned_on_ends_the_other_sessions(app, coordinator, sent):
    pepe(app, coordinator)
    mine, other = (app.login.login("pepe@example.org", PASSWORD, IP) for _ in range(2))
    actor = {"user_id": mine["user"]["user_id"], "role": "interpreter", "session_id": claims(mine)["sid"]}
    app.mfa.mfa_setup(actor, "now", "514 555-0199")
    app.mfa.mfa_confirm(actor, sent.last("mfa_code")["params"]["code"])
    view = gateway_view(app)
    assert view.revoked(claims(other)) and not view.revoked(claims(mine))
    app.sessions.refresh(mine["refresh_token"])                 # the session that did it goes on
    events = app.ctx.events.load_stream("account-" + actor["user_id"])
    assert [e.type for e in events[-2:]] == ["MfaEnabled", "SessionsRevoked"]
    assert events[-1].data["not_before"] is None and events[-1].data["reason"] == "mfa_changed"


def test_deactivation_and_reuse_end_sessions_and_the_list_forgets_what_expired(app, coordinator, clock):
    account = pepe(app, coordinator)
    first = app.login.login("pepe@example.org", PASSWORD, IP)
    renewed = app.sessions.refresh(first["refresh_token"])
    with pytest.raises(Unauthorized):
        app.sessions.refresh(first["refresh_token"])           # reuse: the family ends
    assert gateway_view(app).revoked(claims(renewed))
    later = app.login.login("pepe@example.org", PASSWORD, IP)
    app.management.deactivate(coordinator, account["user_id"])
    assert gateway_view(app).revoked(claims(later))
    assert len(app.revocations.in_force()) == 2
    clock.advance(seconds=902)                                  # every access token named has expired
    assert app.revocations.in_force() == []


def test_revoking_a_system_token_reaches_the_list(app):
    made = app.system_tokens.create("entrepot", ["events:read"], days=1)
    app.system_tokens.revoke(made["jti"])
    view = gateway_view(app)
    assert view.revoked(verify_token(made["token"], KEYS))
    assert not view.revoked(verify_token(app.system_tokens.create("autre", ["events:read"])["token"], KEYS))


def test_refreshes_never_carry_a_session_past_its_absolute_lifetime(app, coordinator, clock):
    """Issue 17: a workstation left signed in is not kept alive by refreshes; the lifetime (policy
    data, 12 h here as by default) runs from the sign-in, and the answer says when it ends."""
    pepe(app, coordinator)
    lifetime = app.ctx.settings.session_lifetime()
    assert lifetime == 12 * 3600
    result = app.login.login("pepe@example.org", PASSWORD, IP)
    assert result["session_expires_in"] == lifetime
    for _ in range(11):                                   # refreshed every hour, as a busy page would
        clock.advance(hours=1)
        result = app.sessions.refresh(result["refresh_token"])
        assert result["refresh_expires_in"] <= result["session_expires_in"] <= lifetime
    clock.advance(minutes=59)
    last = app.sessions.refresh(result["refresh_token"])
    assert last["session_expires_in"] == 60 and last["refresh_expires_in"] == 60 and last["expires_in"] <= 60
    clock.advance(seconds=61)
    with pytest.raises(Unauthorized):
        app.sessions.refresh(last["refresh_token"])


def test_an_idle_session_ends_after_the_idle_timeout(app, coordinator, clock):
    pepe(app, coordinator)
    result = app.login.login("pepe@example.org", PASSWORD, IP)
    idle = min(app.ctx.settings.refresh_ttl(), app.ctx.settings.session_lifetime())
    assert result["refresh_expires_in"] == idle
    clock.advance(seconds=idle + 1)
    with pytest.raises(Unauthorized):
        app.sessions.refresh(result["refresh_token"])
