"""Issue 17, "done when": a brute force of both factors across many sign-ins locks the account as
docs/contracts.md (auth, `login`) documents it, through the real system at real speed. Each round
is a wrong password, then the right one and a wrong second-factor code (a code sent by email plus
one, or a made-up recovery code, in turn): the wrong passwords never add up (the right one clears
them), the wrong codes do, across sign-ins: 3 free, then each next one waits 2 s, 4 s, 8 s…
(429 with Retry-After, honoured here), and the 10th locks the account. Then the right password and
code are refused with the lock's message until a coordinator unlocks it."""
from __future__ import annotations

import requests
import pytest

from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient, hire
from tests.test_credentials_e2e import lines, login, outbox_code

pytestmark = pytest.mark.e2e
PASSWORD = "Correct-Horse-Battery-9!"
LOCK_AFTER = 10            # wrong codes in a row (lockout.ACCOUNT.lock_after)
LOCKED_FR = ("Votre compte est verrouillé après trop de tentatives : utilisez « J'ai oublié mon mot de passe » "
             "ou communiquez avec la Banque d'interprètes au 514 597-3284.")


@pytest.fixture(scope="module")
def coord(system):
    return ApiClient.login(system.url, *system.coordinator_credentials())


def verify(system, token: str, code: str, channel: str) -> requests.Response:
    return requests.post(system.url + "/api/v1/auth/mfa/verify", timeout=15,
                         json={"mfa_token": token, "code": code, "channel": channel})


def test_guessing_both_factors_over_many_sign_ins_locks_the_account_until_a_coordinator_unlocks_it(
        system, coord):
    person = hire(coord, {"email": "brute.force@example.org", "first_name": "Brute", "last_name": "Force",
                          "role": "interpreter"}, PASSWORD)
    me = ApiClient.login(system.url, person["email"], PASSWORD)
    seen = lines(system, "sms")
    me.ok(me.post("/auth/mfa/setup", {"choice": "now", "mobile": "514 555-0133"}))
    me.ok(me.post("/auth/mfa/verify", {"code": outbox_code(system, "sms", "5145550133", seen)}))

    def challenge() -> tuple[str, str]:
        """The right password: a challenge, and its emailed code."""
        step = login(system, person["email"], PASSWORD)
        assert step.status_code == 200 and step.json()["mfa_required"] is True, step.text
        token, seen = step.json()["mfa_token"], lines(system, "email")
        assert requests.post(system.url + "/api/v1/auth/mfa/send", timeout=15,
                             json={"mfa_token": token, "channel": "email"}).status_code == 200
        return token, outbox_code(system, "email", person["email"], seen)

    slowed = 0
    for guess in range(1, LOCK_AFTER + 1):
        wrong_password = login(system, person["email"], f"Pas-Le-Bon-Mot-De-Passe-{guess}")
        assert wrong_password.status_code == 401, wrong_password.text
        token, right = challenge()
        wrong, channel = ((f"{(int(right) + 1) % 10**6:06d}", "email") if guess % 2
                          else ("ABCD-EFGH-JKLM", "recovery"))
        held = {}

        def answered() -> bool:
            held["resp"] = resp = verify(system, token, wrong, channel)
            return resp.status_code != 429
        if not answered():                    # the slow-down: wait as told, then the guess counts
            slowed += 1
            retry_after = int(held["resp"].headers["Retry-After"])
            assert guess > 3 and 1 <= retry_after <= 2 ** (guess - 3), (guess, retry_after)
            wait_until(answered, timeout=retry_after + 30, interval=0.5)
        assert held["resp"].status_code == 401, (guess, held["resp"].text)
    assert slowed >= LOCK_AFTER - 5, slowed    # the 4th to the 10th waited (the first 2 s may pass by itself)

    right_code = verify(system, token, right, "email")         # the last challenge's right code, now
    assert right_code.status_code == 403, right_code.text
    refused = login(system, person["email"], PASSWORD)       # the right password, now
    for answer in (right_code, refused):
        assert answer.status_code == 403, answer.text
        error = answer.json()["error"]
        assert (error["code"], error["message"]) == ("auth.locked", LOCKED_FR), answer.text
    account = coord.ok(coord.get(f"/accounts/{person['user_id']}"))
    assert account["locked"] is True and account["locked_at"]

    coord.ok(coord.post(f"/accounts/{person['user_id']}/unlock", {}))
    token, right = challenge()
    signed_in = verify(system, token, right, "email")
    assert signed_in.status_code == 200 and signed_in.json()["access_token"], signed_in.text
