"""Account security: throttling and lockout, password rule with reasons, change and reset, MFA,
refresh tokens, user management. Time passes through the settable clock, never by sleeping."""
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest

from ims_common.errors import Conflict, Forbidden, Unauthorized, ValidationFailed
from ims_common.tokens import verify_token
from services.auth.domain import lockout, mfa
from services.auth.domain import passwords as password_rule
from services.auth.tests.conftest import KEYS, PASSWORD

NEW = "Grenouille-Violette-Montagne-42"
IP = "203.0.113.9"


@pytest.fixture
def sec(app):
    return app


@pytest.fixture
def pepe(sec, coordinator):
    # From the command line: a password a coordinator chooses would have to be changed first.
    return sec.accounts.create_account_as_operator({"email": "pepe@example.org", "first_name": "Pepe",
                                                    "last_name": "Nomme", "role": "interpreter", "password": PASSWORD})


def fail(sec, identifier, password="Wrong-Password-123!", ip=IP):
    with pytest.raises((Unauthorized, Forbidden)) as err:
        sec.login.login(identifier, password, ip)
    return err.value


def tokens_of(result):
    assert "access_token" in result and "refresh_token" in result, result
    return result


# ---- lockout ----

def test_lockout_slows_down_then_locks_and_coordinator_unlocks(sec, pepe, coordinator, clock):
    for _ in range(3):
        assert fail(sec, "pepe@example.org").code == "auth.invalid_credentials"
    err = fail(sec, "pepe@example.org", PASSWORD)          # too soon, even with the right password
    assert err.code == "auth.throttled" and err.params["retry_after"] == 2
    for n in range(4, 11):
        clock.advance(seconds=lockout.delay_after(n - 1, lockout.ACCOUNT))
        assert fail(sec, "pepe@example.org").code == "auth.invalid_credentials"
    seen = sec.accounts.get_account(coordinator, pepe["user_id"])
    assert seen["locked"] is True and seen["failed_attempts"] == 10 and seen["locked_at"]
    assert "locked" not in sec.accounts.get_account({"user_id": pepe["user_id"], "role": "interpreter"}, pepe["user_id"])
    clock.advance(hours=2)
    assert fail(sec, "pepe@example.org").code == "auth.invalid_credentials"   # wrong: says nothing
    clock.advance(hours=2)
    assert fail(sec, "pepe@example.org", PASSWORD).code == "auth.locked"      # right: told it is locked
    types = [e.type for e in sec.ctx.events.load_stream("account-" + pepe["user_id"])]
    assert "AccountLocked" in types
    unlocked = sec.management.unlock(coordinator, pepe["user_id"])
    assert unlocked["locked"] is False and unlocked["failed_attempts"] == 0
    tokens_of(sec.login.login("pepe@example.org", PASSWORD, IP))


def test_unknown_identifier_is_throttled_like_a_real_one(sec, pepe):
    answers = {}
    for ident in ("pepe@example.org", "nobody@example.org"):
        answers[ident] = [fail(sec, ident, ip=ident).code for _ in range(3)] + [fail(sec, ident, ip=ident).code]
    assert answers["pepe@example.org"] == answers["nobody@example.org"] == ["auth.invalid_credentials"] * 3 + ["auth.throttled"]


def test_per_address_throttle_and_hourly_cap():
    state, now = None, 1000.0
    for _ in range(10):
        assert lockout.wait_seconds(state, lockout.ADDRESS, now) == 0
        state, locked = lockout.record_failure(state, lockout.ADDRESS, now)
        assert not locked
    assert lockout.wait_seconds(state, lockout.ADDRESS, now) > 0
    policy = lockout.Policy(free_failures=1000, lock_after=None)
    state = None
    for i in range(100):
        state, _ = lockout.record_failure(state, policy, now + i)
    assert lockout.wait_seconds(state, policy, now + 100) == pytest.approx(3600 - 100)
    assert lockout.wait_seconds(state, policy, now + 3601) == 0


def test_address_spraying_many_accounts_slows_down(sec, pepe):
    codes = [fail(sec, f"user{i}@example.org", ip="198.51.100.7").code for i in range(11)]
    assert codes[:10] == ["auth.invalid_credentials"] * 10 and codes[10] == "auth.throttled"


def test_trailing_space_hint_comes_from_the_input_only(sec, pepe):
    known = fail(sec, "pepe@example.org", PASSWORD + " ")
    unknown = fail(sec, "nobody@example.org", PASSWORD + " ", ip="192.0.2.1")
    assert known.code == unknown.code == "auth.invalid_credentials"
    assert known.fields == unknown.fields == {"password": ["auth.password_surrounding_spaces"]}
    assert fail(sec, "nobody@example.org", ip="192.0.2.2").fields == {}


# ---- password rule ----

@pytest.mark.parametrize("password,codes", [
    ("short1!A", ["password.too_short"]),
    ("alllowercase-123", ["password.needs_uppercase"]),
    ("NoDigitsHere-abc", ["password.needs_digit"]),
    ("NoSpecials12345abc", ["password.needs_special"]),
    ("Password123!", ["password.too_guessable"]),
    (" " + NEW, ["password.surrounding_spaces"]),
    ("A1!" + "x" * 130, ["password.too_long"]),
])
def test_weak_passwords_refused_with_reasons(sec, pepe, password, codes):
    actor = {"user_id": pepe["user_id"], "role": "interpreter"}
    with pytest.raises(ValidationFailed) as err:
        sec.passwords.change_password(actor, PASSWORD, password, password)
    assert err.value.fields["new_password"] == codes
    assert [r["code"] for r in err.value.params["reasons"]] == codes


def test_personal_words_lower_the_score():
    from services.auth.adapters.strength import zxcvbn_rating
    assert password_rule.reasons(NEW, [], zxcvbn_rating) == []
    assert password_rule.reasons("PepeNomme2024!", [], zxcvbn_rating) == []
    assert password_rule.reasons("PepeNomme2024!", ["Pepe", "Nomme"], zxcvbn_rating)[0]["code"] == "password.too_guessable"


def test_account_creation_checks_strength(sec, coordinator):
    with pytest.raises(ValidationFailed) as err:
        sec.accounts.create_account(coordinator, {"email": "w@example.org", "first_name": "W", "last_name": "Eak",
                                         "role": "interpreter", "password": "Password123!"})
    assert "password.too_guessable" in err.value.fields["password"]


# ---- change, temporary password, reset ----

def test_change_password_revokes_sessions(sec, pepe, sent):
    session = tokens_of(sec.login.login("pepe@example.org", PASSWORD, IP))
    actor = {"user_id": pepe["user_id"], "role": "interpreter"}
    with pytest.raises(ValidationFailed) as err:
        sec.passwords.change_password(actor, "not it", NEW, NEW)
    assert err.value.fields == {"current_password": ["auth.wrong_current_password"]}
    with pytest.raises(ValidationFailed) as err:
        sec.passwords.change_password(actor, PASSWORD, NEW, NEW + "x")
    assert err.value.fields == {"confirm_password": ["password.mismatch"]}
    assert sec.passwords.change_password(actor, PASSWORD, NEW, NEW) == {"password_changed": True}
    with pytest.raises(Unauthorized):
        sec.sessions.refresh(session["refresh_token"])
    assert sent.last()["kind"] == "password_changed"
    fail(sec, "pepe@example.org", PASSWORD)
    tokens_of(sec.login.login("pepe@example.org", NEW, IP))


def test_temporary_password_emailed_and_restricted_token(sec, coordinator, sent):
    account = sec.accounts.create_account(coordinator, {"email": "tina@example.org", "first_name": "Tina",
                                               "last_name": "Temp", "role": "interpreter"})
    assert "temporary_password" not in account and account["must_change_password"] is True
    message = sent.last("temporary_password")
    assert message["recipient"]["email"] == "tina@example.org"
    temporary = message["params"]["password"]
    err = fail(sec, "tina@example.org", temporary + " ")
    assert err.fields == {"password": ["auth.password_surrounding_spaces"]}
    result = sec.login.login("tina@example.org", temporary, IP)
    assert result["password_change_required"] is True and "refresh_token" not in result
    assert verify_token(result["access_token"], KEYS)["mcp"] is True
    sec.passwords.change_password({"user_id": account["user_id"], "role": "interpreter"}, temporary, NEW, NEW)
    result = tokens_of(sec.login.login("tina@example.org", NEW, IP))
    assert verify_token(result["access_token"], KEYS)["mcp"] is False


def reset_token(sent):
    url = sent.last("reset_link")["params"]["url"]
    assert url.startswith("https://ims.example/reset-password?token=")
    return parse_qs(urlparse(url).query)["token"][0]


def test_reset_link_works_once_and_revokes_sessions(sec, pepe, sent, clock):
    session = tokens_of(sec.login.login("pepe@example.org", PASSWORD, IP))
    assert sec.passwords.forgot_password("nobody@example.org") == sec.passwords.forgot_password("PEPE@example.org") == {"accepted": True}
    assert [m["kind"] for m in sent.sent] == ["reset_link"]
    token = reset_token(sent)
    assert token not in str(sec.ctx.docs.find("reset_tokens"))   # only its hash is kept
    with pytest.raises(ValidationFailed) as err:
        sec.passwords.reset_password(token, "weak", "weak")
    assert "password.too_short" in err.value.fields["new_password"]
    assert sec.passwords.reset_password(token, NEW, NEW) == {"password_reset": True}
    with pytest.raises(ValidationFailed) as err:
        sec.passwords.reset_password(token, NEW + "x", NEW + "x")
    assert err.value.code == "auth.reset_link_invalid"
    with pytest.raises(Unauthorized):
        sec.sessions.refresh(session["refresh_token"])
    tokens_of(sec.login.login("pepe@example.org", NEW, IP))


def test_reset_link_expires_after_an_hour(sec, pepe, sent, clock):
    sec.passwords.forgot_password("pepe@example.org")
    token = reset_token(sent)
    clock.advance(minutes=61)
    with pytest.raises(ValidationFailed):
        sec.passwords.reset_password(token, NEW, NEW)


# ---- refresh tokens ----

def test_refresh_rotates_and_reuse_revokes_the_family(sec, pepe):
    first = tokens_of(sec.login.login("pepe@example.org", PASSWORD, IP))
    second = tokens_of(sec.sessions.refresh(first["refresh_token"]))
    assert second["refresh_token"] != first["refresh_token"]
    with pytest.raises(Unauthorized):
        sec.sessions.refresh(first["refresh_token"])         # reuse of a spent token...
    with pytest.raises(Unauthorized):
        sec.sessions.refresh(second["refresh_token"])        # ...ends the whole family
    third = tokens_of(sec.login.login("pepe@example.org", PASSWORD, IP))
    assert sec.sessions.logout(third["refresh_token"]) == {"logged_out": True}
    with pytest.raises(Unauthorized):
        sec.sessions.refresh(third["refresh_token"])
    with pytest.raises(Unauthorized):
        sec.sessions.refresh({"$gt": ""})


# ---- MFA ----

def enable_mfa(sec, sent, pepe):
    actor = {"user_id": pepe["user_id"], "role": "interpreter"}
    # No session of a sign-in minutes ago here: the password is typed again (step-up).
    assert sec.mfa.mfa_setup(actor, "now", "514 555-0199", PASSWORD) == {"code_sent": True, "channel": "sms", "expires_in": 600}
    message = sent.last("mfa_code")
    assert message["params"]["channel"] == "sms" and message["recipient"]["mobile"] == "514 555-0199"
    with pytest.raises(ValidationFailed):
        sec.mfa.mfa_confirm(actor, "000000" if message["params"]["code"] != "000000" else "111111")
    done = sec.mfa.mfa_confirm(actor, message["params"]["code"])
    assert done["mfa_enabled"] is True and len(done["recovery_codes"]) == 10
    return actor, done["recovery_codes"]


def test_mfa_offered_then_postponed_24_hours(sec, pepe, clock):
    assert sec.login.login("pepe@example.org", PASSWORD, IP)["mfa_setup_offered"] is True
    sec.mfa.mfa_setup({"user_id": pepe["user_id"], "role": "interpreter"}, "later")
    clock.advance(hours=23)
    assert sec.login.login("pepe@example.org", PASSWORD, IP)["mfa_setup_offered"] is False
    clock.advance(hours=1, seconds=1)
    assert sec.login.login("pepe@example.org", PASSWORD, IP)["mfa_setup_offered"] is True


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_mfa_login_with_a_code(sec, pepe, sent, channel, clock):
    enable_mfa(sec, sent, pepe)
    step = sec.login.login("pepe@example.org", PASSWORD, IP)
    assert step["mfa_required"] is True and "access_token" not in step
    assert step["channels"] == ["sms", "email", "recovery"]
    sec.login.mfa_send(step["mfa_token"], channel)
    message = sent.last("mfa_code")
    assert message["params"]["channel"] == channel
    result = tokens_of(sec.login.mfa_verify(step["mfa_token"], message["params"]["code"], channel))
    assert verify_token(result["access_token"], KEYS)["sub"] == pepe["user_id"]
    with pytest.raises(Unauthorized):                       # single use
        sec.login.mfa_verify(step["mfa_token"], message["params"]["code"], channel)


def test_mfa_code_expires_and_limits_attempts(sec, pepe, sent, clock):
    enable_mfa(sec, sent, pepe)
    step = sec.login.login("pepe@example.org", PASSWORD, IP)
    sec.login.mfa_send(step["mfa_token"], "email")
    code = sent.last("mfa_code")["params"]["code"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    codes = []
    for n in range(5):
        clock.advance(seconds=lockout.delay_after(n, lockout.ACCOUNT))   # the account's slow-down
        with pytest.raises(Unauthorized) as err:
            sec.login.mfa_verify(step["mfa_token"], wrong, "email")
        codes.append(err.value.code)
    assert codes == ["mfa.invalid_code"] * 4 + ["mfa.too_many_attempts"]
    clock.advance(seconds=lockout.delay_after(5, lockout.ACCOUNT))
    with pytest.raises(Unauthorized) as err:
        sec.login.mfa_verify(step["mfa_token"], code, "email")     # the right one, too late: a new code is needed
    assert err.value.code == "mfa.too_many_attempts"
    sec.login.mfa_send(step["mfa_token"], "email")
    code = sent.last("mfa_code")["params"]["code"]
    clock.advance(minutes=9, seconds=59)
    step2 = sec.login.login("pepe@example.org", PASSWORD, IP)
    sec.login.mfa_send(step2["mfa_token"], "sms")
    code2 = sent.last("mfa_code")["params"]["code"]
    clock.advance(minutes=10)
    with pytest.raises(Unauthorized) as err:
        sec.login.mfa_verify(step2["mfa_token"], code2, "sms")
    assert err.value.code == "auth.mfa_token_invalid"


def wrong_code(sec, sent, step) -> str:
    sec.login.mfa_send(step["mfa_token"], "email")
    return f"{(int(sent.last('mfa_code')['params']['code']) + 1) % 10**6:06d}"


def test_second_factor_failures_count_across_sign_ins_slow_down_and_lock(sec, pepe, sent, clock, coordinator):
    """Issue 17: the right password with guessed codes, over one sign-in after another: the failures
    add up per account, with the password's slow-down (3 free) and lock (10)."""
    enable_mfa(sec, sent, pepe)
    step = sec.login.login("pepe@example.org", PASSWORD, IP)
    wrong = wrong_code(sec, sent, step)
    for _ in range(3):
        with pytest.raises(Unauthorized) as err:
            sec.login.mfa_verify(step["mfa_token"], wrong, "email")
        assert err.value.code == "mfa.invalid_code"
    fresh = sec.login.login("pepe@example.org", PASSWORD, IP)      # a new sign-in is no fresh start
    wrong = wrong_code(sec, sent, fresh)
    with pytest.raises(Unauthorized) as err:
        sec.login.mfa_verify(fresh["mfa_token"], wrong, "email")
    assert err.value.code == "auth.throttled" and err.value.params["retry_after"] == 2
    failures = 3
    while failures < 10:                                            # 2 more per sign-in, after each wait
        step = sec.login.login("pepe@example.org", PASSWORD, IP)
        wrong = wrong_code(sec, sent, step)
        for _ in range(2):
            clock.advance(seconds=lockout.delay_after(failures, lockout.ACCOUNT))
            with pytest.raises(Unauthorized) as err:
                sec.login.mfa_verify(step["mfa_token"], wrong, "email")
            assert err.value.code == "mfa.invalid_code"
            failures += 1
            if failures == 10:
                break
    clock.advance(hours=1)
    assert fail(sec, "pepe@example.org", PASSWORD).code == "auth.locked"      # the password alone: locked
    seen = sec.accounts.get_account(coordinator, pepe["user_id"])
    assert seen["locked"] is True and seen["locked_at"]
    locked = [e for e in sec.ctx.events.load_stream("account-" + pepe["user_id"]) if e.type == "AccountLocked"]
    assert [e.data for e in locked] == [{"user_id": pepe["user_id"], "failed_attempts": 10}]
    sec.management.unlock(coordinator, pepe["user_id"])
    step = sec.login.login("pepe@example.org", PASSWORD, IP)
    sec.login.mfa_send(step["mfa_token"], "email")
    tokens_of(sec.login.mfa_verify(step["mfa_token"], sent.last("mfa_code")["params"]["code"], "email"))


def test_a_right_second_factor_ends_the_run_of_failures(sec, pepe, sent, clock):
    enable_mfa(sec, sent, pepe)
    for _ in range(2):
        step = sec.login.login("pepe@example.org", PASSWORD, IP)
        wrong = wrong_code(sec, sent, step)
        for _ in range(2):
            with pytest.raises(Unauthorized):
                sec.login.mfa_verify(step["mfa_token"], wrong, "email")
        clock.advance(seconds=10)
        tokens_of(sec.login.mfa_verify(step["mfa_token"], sent.last("mfa_code")["params"]["code"], "email"))


def test_mfa_totp_enrol_and_login(sec, pepe, sent, clock):
    actor, _ = enable_mfa(sec, sent, pepe)
    enrol = sec.mfa.totp_enrol(actor, PASSWORD)
    assert enrol["otpauth_uri"].startswith("otpauth://totp/IMS:pepe%40example.org?secret=")
    totp = pyotp.TOTP(enrol["secret"])
    assert sec.mfa.totp_confirm(actor, totp.at(clock().timestamp()))["totp_enabled"] is True
    clock.advance(seconds=60)
    step = sec.login.login("pepe@example.org", PASSWORD, IP)
    assert "totp" in step["channels"]
    code = totp.at(clock().timestamp())
    tokens_of(sec.login.mfa_verify(step["mfa_token"], code, "totp"))
    step = sec.login.login("pepe@example.org", PASSWORD, IP)
    with pytest.raises(Unauthorized) as err:                # the same time step cannot serve twice
        sec.login.mfa_verify(step["mfa_token"], code, "totp")
    assert err.value.code == "mfa.code_used"


def test_totp_needs_sms_setup_first(sec, pepe):
    with pytest.raises(Conflict):
        sec.mfa.totp_enrol({"user_id": pepe["user_id"], "role": "interpreter"})


def test_recovery_codes_are_single_use(sec, pepe, sent):
    _, codes = enable_mfa(sec, sent, pepe)
    step = sec.login.login("pepe@example.org", PASSWORD, IP)
    result = tokens_of(sec.login.mfa_verify(step["mfa_token"], codes[0].lower(), "recovery"))
    assert result["recovery_codes_left"] == 9
    step = sec.login.login("pepe@example.org", PASSWORD, IP)
    with pytest.raises(Unauthorized):
        sec.login.mfa_verify(step["mfa_token"], codes[0], "recovery")
    assert sec.ctx.docs.find("auth_security") and codes[1] not in str(sec.ctx.docs.find("auth_security"))


def test_mfa_token_is_not_an_access_token_and_forgery_fails(sec, pepe, sent):
    enable_mfa(sec, sent, pepe)
    step = sec.login.login("pepe@example.org", PASSWORD, IP)
    from ims_common.tokens import InvalidToken
    with pytest.raises(InvalidToken):
        verify_token(step["mfa_token"], KEYS)
    with pytest.raises(Unauthorized):
        sec.login.mfa_send(step["mfa_token"][:-2] + "xx", "email")
    with pytest.raises(Unauthorized):
        sec.login.mfa_verify({"$gt": ""}, "123456", "email")


def test_mfa_code_rules():
    code, challenge = mfa.new_challenge("sms", 0.0)
    assert code not in str(challenge)
    assert mfa.check_code(challenge, code, 600.0)[0] == "mfa.code_expired"
    error, used = mfa.check_code(challenge, code, 1.0)
    assert error is None and mfa.check_code(used, code, 2.0)[0] == "mfa.code_used"


# ---- user management ----

def test_deactivate_reactivate_reset_mfa(sec, pepe, coordinator, sent):
    session = tokens_of(sec.login.login("pepe@example.org", PASSWORD, IP))
    assert sec.management.deactivate(coordinator, pepe["user_id"])["active"] is False
    events = sec.ctx.events.load_stream("account-" + pepe["user_id"])
    assert events[-2].type == "AccountDeactivated" and events[-2].data == {"user_id": pepe["user_id"]}
    assert events[-1].type == "SessionsRevoked" and events[-1].data["reason"] == "deactivated"
    assert events[-1].data["session_ids"] == [verify_token(session["access_token"], KEYS)["sid"]]
    assert fail(sec, "pepe@example.org", PASSWORD).code == "auth.invalid_credentials"
    with pytest.raises(Unauthorized):
        sec.sessions.refresh(session["refresh_token"])
    assert sec.management.reactivate(coordinator, pepe["user_id"])["active"] is True
    assert sec.ctx.events.load_stream("account-" + pepe["user_id"])[-1].type == "AccountReactivated"
    enable_mfa(sec, sent, pepe)
    assert sec.accounts.get_account(coordinator, pepe["user_id"])["mfa_enabled"] is True
    assert sec.management.reset_mfa(coordinator, pepe["user_id"])["mfa_enabled"] is False
    assert "access_token" in sec.login.login("pepe@example.org", PASSWORD, IP)
    with pytest.raises(Forbidden):
        sec.management.deactivate({"user_id": pepe["user_id"], "role": "interpreter"}, coordinator["user_id"])
    with pytest.raises(Conflict):
        sec.management.deactivate(coordinator, coordinator["user_id"])


def test_changing_the_second_factor_later_asks_for_the_password(sec, pepe, sent, clock):
    """Issue 17, step-up: right after signing in (the set-up the sign-in offers) the password was just
    typed; later, a new phone or authenticator app asks for it again, so an unattended session cannot
    replace the second factor (and the recovery codes)."""
    from services.auth.tests.test_sessions import claims
    signed = sec.login.login("pepe@example.org", PASSWORD, IP)
    actor = {"user_id": pepe["user_id"], "role": "interpreter", "session_id": claims(signed)["sid"]}
    assert sec.mfa.mfa_setup(actor, "now", "514 555-0199")["code_sent"] is True     # fresh: no password
    sec.mfa.mfa_confirm(actor, sent.last("mfa_code")["params"]["code"])
    clock.advance(minutes=11)
    for call in (lambda pw: sec.mfa.mfa_setup(actor, "now", "514 555-0100", pw), lambda pw: sec.mfa.totp_enrol(actor, pw)):
        with pytest.raises(ValidationFailed) as err:
            call(None)
        assert err.value.fields == {"current_password": ["auth.step_up_required"]}
        with pytest.raises(ValidationFailed) as err:
            call("Not-The-Password-1!")
        assert err.value.fields == {"current_password": ["auth.wrong_current_password"]}
    assert sec.mfa.mfa_setup(actor, "now", "514 555-0100", PASSWORD)["code_sent"] is True
    assert sec.mfa.totp_enrol(actor, PASSWORD)["secret"]
