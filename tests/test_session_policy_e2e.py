"""The session policy through the real system (issue 17, item 3): a session's absolute lifetime
(IMS_SESSION_LIFETIME, policy data; a few seconds here) runs from the sign-in, and refreshing never
carries it further; each answer says when it ends. And a second factor changed other than right
after signing in asks for the password again (the window is 0 here: always)."""
from __future__ import annotations

import time

import pytest
import requests

from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.system import running_system
from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient, hire
from tests.test_credentials_e2e import lines, outbox_code

pytestmark = pytest.mark.e2e
PASSWORD = "Correct-Horse-Battery-9!"
LIFETIME = 20   # long enough for the set-up (the coordinator's own session lives as long)


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    with isolated_vhost() as amqp_uri:
        with running_system(tmp_path_factory.mktemp("ims-session"), amqp_uri,
                            extra_env={"IMS_SESSION_LIFETIME": str(LIFETIME),
                                       "IMS_STEP_UP_WINDOW": "0"}) as running:
            yield running


def test_refreshing_does_not_extend_a_session_beyond_its_lifetime(system):
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)
    person = hire(coord, {"email": "sam.poste@example.org", "first_name": "Sam", "last_name": "Poste",
                          "role": "interpreter"}, PASSWORD)
    started = time.monotonic()
    signed = requests.post(system.url + "/api/v1/auth/login", timeout=15,
                           json={"identifier": person["email"], "password": PASSWORD}).json()
    assert 0 < signed["session_expires_in"] <= LIFETIME and signed["refresh_expires_in"] <= LIFETIME
    held = {"token": signed["refresh_token"], "refreshes": 0}

    def refused() -> bool:
        resp = requests.post(system.url + "/api/v1/auth/refresh", json={"refresh_token": held["token"]}, timeout=15)
        if resp.status_code == 200:
            body = resp.json()
            assert body["session_expires_in"] <= LIFETIME - int(time.monotonic() - started) + 1
            held.update(token=body["refresh_token"], refreshes=held["refreshes"] + 1)
            return False
        assert resp.status_code == 401 and resp.json()["error"]["code"] == "auth.refresh_invalid", resp.text
        return True

    wait_until(refused, timeout=LIFETIME + 10, interval=1)
    assert held["refreshes"] >= 2                        # it was refreshed, and that did not keep it
    assert time.monotonic() - started <= LIFETIME + 3


def test_changing_the_second_factor_asks_for_the_current_password(system):
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)
    person = hire(coord, {"email": "eve.poste@example.org", "first_name": "Eve", "last_name": "Poste",
                          "role": "interpreter"}, PASSWORD)
    me = ApiClient.login(system.url, person["email"], PASSWORD)
    bare = me.post("/auth/mfa/setup", {"choice": "now", "mobile": "514 555-0166"})
    assert bare.status_code == 422, bare.text
    assert bare.json()["error"]["fields"]["current_password"] == [
        "Pour changer votre double authentification, entrez votre mot de passe actuel."]
    wrong = me.post("/auth/mfa/setup", {"choice": "now", "mobile": "514 555-0166",
                                        "current_password": "Pas-Le-Bon-Mot-De-Passe-1"})
    assert wrong.status_code == 422 and "current_password" in wrong.json()["error"]["fields"], wrong.text
    guessed = me.post("/auth/mfa/verify", {"code": "123456"})          # no set-up begun: nothing to confirm
    assert guessed.status_code in (400, 409, 422) and "recovery_codes" not in guessed.text, guessed.text
    seen = lines(system, "sms")
    right = me.post("/auth/mfa/setup", {"choice": "now", "mobile": "514 555-0166", "current_password": PASSWORD})
    assert right.status_code == 200 and right.json()["code_sent"] is True, right.text
    recovery = me.ok(me.post("/auth/mfa/verify", {"code": outbox_code(system, "sms", "5145550166", seen)}))[
        "recovery_codes"]

    # The session left open cannot replace them: a new phone asks for the password again, and
    # without one there is no set-up whose confirmation would give new codes.
    again = me.post("/auth/mfa/setup", {"choice": "now", "mobile": "514 555-0167"})
    assert again.status_code == 422 and "current_password" in again.json()["error"]["fields"], again.text
    assert "recovery_codes" not in me.post("/auth/mfa/verify", {"code": "123456"}).text
    step = requests.post(system.url + "/api/v1/auth/login", timeout=15,
                         json={"identifier": person["email"], "password": PASSWORD}).json()
    used = requests.post(system.url + "/api/v1/auth/mfa/verify", timeout=15, json={
        "mfa_token": step["mfa_token"], "code": recovery[0], "channel": "recovery"})
    assert used.status_code == 200 and used.json()["recovery_codes_left"] == len(recovery) - 1, used.text
