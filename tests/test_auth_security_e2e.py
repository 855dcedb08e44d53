"""Account security through the real system (started as `make run` starts it: two gunicorn workers):
failed sign-ins slow down (429 with Retry-After), the coordinator sees the failures and lifts them; a
change of password ends the sessions; an operator object is a 400.

Revocation: after a sign-out, a deactivation, a password change in another session, a reused refresh
token, a second factor turned on or reset, and a revoked system token, the access tokens concerned get
401 on /api/v1/me and /api/v1/bookings at every worker (fresh connections, which the kernel hands to
either worker) within a second, and a replayed web cookie after "Déconnexion" lands on the sign-in
page. Gateway workers started afterwards still refuse them (they load what is in force from auth)."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.system import running_system
from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient, hire
from tests.web_client import web_sign_in

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Correct-Horse-Battery-9!"
NEW_PASSWORD = "Grenouille-Violette-Montagne-42"
REVOKED_WITHIN = 1.0     # seconds, the promise (docs/contracts.md, "Revocation")
PROBES = 4               # fresh connections per route and check: the kernel hands them to either worker
WORKERS = 2              # deploy/gunicorn.conf.py's default, as `make run` has it
REVOKED: list[str] = []  # every token revoked in this module, for the restarted workers


def login(system, identifier, password):
    return requests.post(system.url + "/api/v1/auth/login", json={"identifier": identifier, "password": password},
                         timeout=15)


def session(system, identifier, password=PASSWORD) -> dict:
    resp = login(system, identifier, password)
    assert resp.status_code == 200, resp.text
    return resp.json()


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    """The system as `make run` starts it, its access log naming the worker (pid) of each request."""
    with isolated_vhost() as amqp_uri:
        with running_system(tmp_path_factory.mktemp("ims-data"), amqp_uri, extra_env={
                "GUNICORN_CMD_ARGS": '--access-logformat "%(p)s %({x-request-id}i)s %(s)s"'}) as running:
            yield running


def ask(system, path: str, token: str | None = None, cookies: dict | None = None) -> tuple[str, requests.Response]:
    """One GET on a fresh connection (the kernel hands it to either worker), with a request id of its own."""
    rid = f"probe-{uuid.uuid4().hex}"
    headers = {"Connection": "close", "X-Request-ID": rid}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return rid, requests.get(system.url + path, headers=headers, cookies=cookies, allow_redirects=False, timeout=15)


def answers(system, token: str) -> list[tuple[str, int]]:
    """(request id, status) of /me and /bookings for the token, PROBES times each."""
    out = []
    for _ in range(PROBES):
        for path in ("/api/v1/me", "/api/v1/bookings"):
            rid, resp = ask(system, path, token)
            out.append((rid, resp.status_code))
    return out


def statuses(system, token: str) -> set[int]:
    return {status for _, status in answers(system, token)}


def workers_of(system, request_ids) -> set[str]:
    """The gateway workers that answered these requests (from the access log)."""
    log = (system.data_dir / "logs" / "gateway.log").read_text()
    return {pid for pid, rid in re.findall(r"^<(\d+)> (probe-[0-9a-f]+) ", log, re.M) if rid in request_ids}


def at_every_worker(system, asked) -> None:
    """Keeps asking (asked() -> [(request id, answer as expected)]) until every worker has answered;
    every answer must be the expected one."""
    answered: set[str] = set()

    def done():
        for rid, expected in asked():
            assert expected, f"request {rid} got an unexpected answer"
            answered.add(rid)
        return len(workers_of(system, answered)) >= WORKERS

    wait_until(done, timeout=30)


def assert_accepted(system, *tokens: str) -> None:
    for token in tokens:
        assert statuses(system, token) == {200}


def assert_revoked_soon(system, *tokens: str, since: float) -> float:
    """Waits (generously: a loaded machine) until every token gets 401 on a whole round of probes, checks
    that it took no more than the promise, then that every worker refuses them. Returns the seconds."""
    wait_until(lambda: all(statuses(system, token) == {401} for token in tokens), timeout=15, interval=0.01)
    took = time.monotonic() - since
    REVOKED.extend(tokens)
    assert took <= REVOKED_WITHIN, f"revocation took {took:.2f}s"
    for token in tokens:
        at_every_worker(system, lambda: [(rid, status == 401) for rid, status in answers(system, token)])
    return took


@pytest.fixture(scope="module")
def coord(system):
    email, password = system.coordinator_credentials()
    return ApiClient.login(system.url, email, password)


def make_person(coord, first: str, last: str, role: str = "interpreter") -> dict:
    return hire(coord, {"email": f"{first.lower()}.{last.lower()}@example.org", "first_name": first,
                        "last_name": last, "role": role}, PASSWORD)


@pytest.fixture(scope="module")
def lena(coord):
    return make_person(coord, "Lena", "Securite")


def test_failed_logins_slow_down_and_the_coordinator_lifts_them(system, coord, lena):
    for _ in range(3):
        resp = login(system, lena["email"], "Wrong-Password-123!")
        assert resp.status_code == 401 and resp.json()["error"]["code"] == "auth.invalid_credentials"
    resp = login(system, lena["email"], PASSWORD)          # too soon, even with the right password
    assert resp.status_code == 429, resp.text
    assert resp.json()["error"]["code"] == "auth.throttled" and int(resp.headers["Retry-After"]) >= 1
    # an identifier that names nobody answers the same way
    for _ in range(3):
        assert login(system, "nobody.here@example.org", "Wrong-Password-123!").status_code == 401
    assert login(system, "nobody.here@example.org", "Wrong-Password-123!").status_code == 429

    seen = coord.ok(coord.get(f"/accounts/{lena['user_id']}"))
    assert seen["failed_attempts"] == 3 and seen["locked"] is False
    unlocked = coord.ok(coord.post(f"/accounts/{lena['user_id']}/unlock", {}))
    assert unlocked["failed_attempts"] == 0
    resp = login(system, lena["user_id"], PASSWORD)
    assert resp.status_code == 200, resp.text
    assert resp.json()["mfa_setup_offered"] is True and resp.json()["refresh_token"]

    trailing = login(system, lena["email"], PASSWORD + " ")
    assert trailing.status_code == 401 and trailing.json()["error"]["fields"]["password"]


def test_change_of_password_revokes_the_refresh_token(system, lena):
    session = login(system, lena["email"], PASSWORD).json()
    client = ApiClient(system.url, session["access_token"])
    rotated = client.ok(client.post("/auth/refresh", {"refresh_token": session["refresh_token"]}))
    assert rotated["refresh_token"] != session["refresh_token"]

    weak = client.post("/auth/password", {"current_password": PASSWORD, "new_password": "Password123!",
                                          "confirm_password": "Password123!"})
    # The password policy is beyond what the OpenAPI document states: 422 (the body matched it).
    assert weak.status_code == 422 and weak.json()["error"]["fields"]["new_password"]
    assert client.post("/auth/password", {"current_password": {"$gt": ""}, "new_password": NEW_PASSWORD,
                                          "confirm_password": NEW_PASSWORD}).status_code == 400

    client.ok(client.post("/auth/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                             "confirm_password": NEW_PASSWORD}))
    resp = client.post("/auth/refresh", {"refresh_token": rotated["refresh_token"]})
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "auth.refresh_invalid"
    assert login(system, lena["email"], PASSWORD).status_code == 401
    assert login(system, lena["email"], NEW_PASSWORD).status_code == 200


def test_sign_out_ends_the_access_token_at_every_worker(system, coord):
    person = make_person(coord, "Sortie", "Api")
    signed_in = session(system, person["email"])
    other = session(system, person["email"])            # another sign-in of the same person
    assert_accepted(system, signed_in["access_token"], other["access_token"])
    resp = requests.post(system.url + "/api/v1/auth/logout", json={"refresh_token": signed_in["refresh_token"]},
                         timeout=15)
    assert resp.status_code == 200, resp.text
    assert_revoked_soon(system, signed_in["access_token"], since=time.monotonic())
    assert_accepted(system, other["access_token"])      # only that session ended
    again = requests.post(system.url + "/api/v1/auth/refresh", json={"refresh_token": signed_in["refresh_token"]},
                          timeout=15)
    assert again.status_code == 401


def test_deactivation_ends_every_session_and_reactivation_lets_the_person_back(system, coord):
    person = make_person(coord, "Desactive", "Compte")
    first, second = session(system, person["email"]), session(system, person["email"])
    assert_accepted(system, first["access_token"])
    coord.ok(coord.post(f"/accounts/{person['user_id']}/deactivate", {}))
    assert_revoked_soon(system, first["access_token"], second["access_token"], since=time.monotonic())
    coord.ok(coord.post(f"/accounts/{person['user_id']}/reactivate", {}))
    assert_accepted(system, session(system, person["email"])["access_token"])


def test_a_password_change_in_another_session_ends_this_one(system, coord):
    person = make_person(coord, "Change", "Ailleurs")
    here, elsewhere = session(system, person["email"]), session(system, person["email"])
    client = ApiClient(system.url, elsewhere["access_token"])
    client.ok(client.post("/auth/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                             "confirm_password": NEW_PASSWORD}))
    assert_revoked_soon(system, here["access_token"], elsewhere["access_token"], since=time.monotonic())
    # a sign-in right after is a new session, not refused (the same second: services/auth/tests/test_sessions.py)
    assert_accepted(system, session(system, person["email"], NEW_PASSWORD)["access_token"])


def test_a_reused_refresh_token_ends_the_family_and_its_access_tokens(system, coord):
    person = make_person(coord, "Famille", "Volee")
    first = session(system, person["email"])
    rotated = requests.post(system.url + "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]},
                            timeout=15).json()
    assert_accepted(system, rotated["access_token"])
    stolen = requests.post(system.url + "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]},
                           timeout=15)
    assert stolen.status_code == 401
    assert_revoked_soon(system, first["access_token"], rotated["access_token"], since=time.monotonic())


def sms_code(system, mobile_digits: str) -> str:
    outbox = system.data_dir / "outbox" / "sms.jsonl"

    def code():
        if not outbox.exists():
            return None
        for line in reversed(outbox.read_text().splitlines()):
            message = json.loads(line)
            if re.sub(r"\D", "", message["to"]).endswith(mobile_digits):
                found = re.search(r"\b(\d{6})\b", message["body"])
                if found:
                    return found.group(1)
        return None

    return wait_until(code, timeout=30)


def test_turning_on_a_second_factor_ends_the_other_sessions_and_a_reset_ends_all(system, coord):
    person = make_person(coord, "Double", "Facteur")
    mine, other = session(system, person["email"]), session(system, person["email"])
    me = ApiClient(system.url, mine["access_token"])
    me.ok(me.post("/auth/mfa/setup", {"choice": "now", "mobile": "514 555-0177"}))
    confirmed = me.ok(me.post("/auth/mfa/verify", {"code": sms_code(system, "5145550177")}))
    assert len(confirmed["recovery_codes"]) == 10
    assert_revoked_soon(system, other["access_token"], since=time.monotonic())
    assert_accepted(system, mine["access_token"])         # the session that did it stays
    coord.ok(coord.post(f"/accounts/{person['user_id']}/reset-mfa", {}))
    assert_revoked_soon(system, mine["access_token"], since=time.monotonic())


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


def test_a_web_cookie_replayed_after_sign_out_lands_on_the_sign_in_page(system, coord):
    person = make_person(coord, "Cookie", "Rejoue")
    browser = requests.Session()
    page = browser.get(system.url + "/connexion", timeout=15)
    signed_in = browser.post(system.url + "/connexion", allow_redirects=False, timeout=15, data={
        "identifier": person["email"], "password": PASSWORD, "csrf_token": csrf_of(page.text)})
    assert signed_in.status_code == 302, signed_in.text
    kept = {c.name: c.value for c in browser.cookies}      # what someone at the workstation copies
    assert {"ims_session", "ims_refresh"} <= set(kept)
    bookings = browser.get(system.url + "/reservations", allow_redirects=False, timeout=15)
    assert bookings.status_code == 200
    out = browser.post(system.url + "/deconnexion", data={"csrf_token": csrf_of(bookings.text)},
                       allow_redirects=False, timeout=15)
    assert out.status_code == 302 and "/connexion" in out.headers["Location"]
    assert_web_ended_soon(system, kept, since=time.monotonic())
    at_every_worker(system, lambda: replays(system, {"ims_session": kept["ims_session"]}))


def replays(system, cookies) -> list[tuple[str, bool]]:
    """(request id, whether it landed on the sign-in page) of /reservations with these cookies."""
    out = []
    for _ in range(PROBES):
        rid, resp = ask(system, "/reservations", cookies=cookies)
        out.append((rid, resp.status_code == 302 and "/connexion" in resp.headers.get("Location", "")))
    return out


def assert_web_ended_soon(system, cookies: dict, since: float) -> None:
    """The web session's cookies (access and refresh token) replayed land on the sign-in page within
    the promise, at every worker."""
    wait_until(lambda: all(ok for _, ok in replays(system, cookies)), timeout=15, interval=0.01)
    took = time.monotonic() - since
    assert took <= REVOKED_WITHIN, f"the web session ended after {took:.2f}s"
    at_every_worker(system, lambda: replays(system, cookies))
    REVOKED.append(cookies["ims_session"])


def web_session(system, email: str) -> dict:
    """The cookies of a sign-in on the web pages, which open /reservations."""
    cookies = {c.name: c.value for c in web_sign_in(system.url, email, PASSWORD).cookies}
    assert {"ims_session", "ims_refresh"} <= set(cookies)
    assert ask(system, "/reservations", cookies=cookies)[1].status_code == 200
    return cookies


ENDINGS = {"deactivation": "Desactivee", "password_change": "Motdepasse", "mfa_change": "Facteur",
           "mfa_reset": "Reinitialise", "family_revoked": "Famille"}


@pytest.mark.parametrize("ending", sorted(ENDINGS))
def test_each_way_a_session_ends_ends_the_web_session_and_the_api_token(system, coord, ending):
    """Issue 17, item 1: a web session and an API session of the same person, then one of the ways
    sessions end; both are refused within a second at every worker."""
    person = make_person(coord, "Toile", ENDINGS[ending])
    web, api = web_session(system, person["email"]), session(system, person["email"])
    if ending == "deactivation":
        coord.ok(coord.post(f"/accounts/{person['user_id']}/deactivate", {}))
    elif ending == "password_change":                  # from a third session
        elsewhere = ApiClient(system.url, session(system, person["email"])["access_token"])
        elsewhere.ok(elsewhere.post("/auth/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                       "confirm_password": NEW_PASSWORD}))
    elif ending == "mfa_change":                       # a second factor turned on from a third session
        elsewhere = ApiClient(system.url, session(system, person["email"])["access_token"])
        digits = "514555" + str(1000 + len(REVOKED))[-4:]
        elsewhere.ok(elsewhere.post("/auth/mfa/setup", {"choice": "now", "mobile": digits}))
        elsewhere.ok(elsewhere.post("/auth/mfa/verify", {"code": sms_code(system, digits)}))
    elif ending == "mfa_reset":                        # the bank resets the second factor: every session
        coord.ok(coord.post(f"/accounts/{person['user_id']}/reset-mfa", {}))
    else:                                              # the web's refresh token stolen and used twice
        refresh = {"refresh_token": web["ims_refresh"]}
        assert requests.post(system.url + "/api/v1/auth/refresh", json=refresh, timeout=15).status_code == 200
        assert requests.post(system.url + "/api/v1/auth/refresh", json=refresh, timeout=15).status_code == 401
        api = None                                     # another family: it stays
    started = time.monotonic()
    assert_web_ended_soon(system, web, since=started)
    if api is not None:
        assert_revoked_soon(system, api["access_token"], since=started)


def cli(system, *args) -> str:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_STORE_URL")}
    env.update(IMS_DATA_DIR=str(system.data_dir), PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "services.auth.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_revoked_system_token_is_refused_at_every_worker(system):
    made = cli(system, "create-system-token", "--name", "entrepot", "--scope", "events:read")
    token, jti = made.splitlines()[0], made.split("jti: ")[1].strip()

    def events(expected: int) -> list[tuple[str, bool]]:
        return [(rid, resp.status_code == expected)
                for rid, resp in (ask(system, "/api/v1/events", token) for _ in range(2 * PROBES))]

    at_every_worker(system, lambda: events(200))
    cli(system, "revoke-system-token", "--jti", jti)
    # The CLI wrote to auth's store: the service's relay publishes the event at its next poll (0.5 s).
    wait_until(lambda: all(ok for _, ok in events(401)), timeout=15, interval=0.01)
    at_every_worker(system, lambda: events(401))


def gateway_workers(system) -> list[int]:
    return [int(p) for p in re.findall(r"Booting worker with pid: (\d+)", (system.data_dir / "logs" /
                                                                            "gateway.log").read_text())]


def loaded_workers(system) -> set[int]:
    log = (system.data_dir / "logs" / "gateway.log").read_text()
    return {int(p) for p in re.findall(r"revocations in force loaded \(\d+\) in worker (\d+)", log)}


def test_workers_started_later_load_what_is_in_force(system, coord):
    assert REVOKED, "the revocation tests run first"
    before = gateway_workers(system)
    for pid in sorted(set(before)):
        if pid in loaded_workers(system):
            try:
                os.kill(pid, signal.SIGTERM)     # gunicorn starts another in its place
            except ProcessLookupError:
                pass
    wait_until(lambda: len(loaded_workers(system) - set(before)) >= 2, timeout=60)
    for token in REVOKED[-6:]:
        if token.count(".") == 2:                # access tokens (the web cookie holds one too)
            assert statuses(system, token) == {401}
    assert_accepted(system, coord.session.headers["Authorization"].split(" ", 1)[1])


def test_a_forgotten_password_link_arrives_by_email_and_works_once(system, coord):
    """auth -> notification (RPC) -> the email outbox of the embedded default; the link resets once."""
    from urllib.parse import parse_qs, urlparse

    mia = hire(coord, {"email": "mia.oubli@example.org", "first_name": "Mia", "last_name": "Oubli",
                       "role": "interpreter"}, PASSWORD)
    outbox = system.data_dir / "outbox" / "email.jsonl"

    def reset_mail():
        if not outbox.exists():
            return None
        mails = [json.loads(line) for line in outbox.read_text().splitlines() if line.strip()]
        return next((m for m in mails if m["to"] == mia["email"] and "reset-password?token=" in m["body"]), None)

    for email in (mia["email"], "personne@example.org"):  # the same answer whether or not it exists
        resp = requests.post(system.url + "/api/v1/auth/password/forgot", json={"email": email}, timeout=15)
        assert resp.status_code == 200 and resp.json() == {"accepted": True}, resp.text
    mail = wait_until(reset_mail, timeout=30)
    link = re.search(r"https?://\S+reset-password\?token=\S+", mail["body"]).group(0)
    token = parse_qs(urlparse(link).query)["token"][0]
    body = {"token": token, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    first = requests.post(system.url + "/api/v1/auth/password/reset", json=body, timeout=15)
    assert first.status_code == 200, first.text
    again = requests.post(system.url + "/api/v1/auth/password/reset", json=body, timeout=15)
    assert again.status_code in (409, 422) and again.json()["error"]["code"] == "auth.reset_link_invalid"
    assert login(system, mia["email"], NEW_PASSWORD).status_code == 200
    assert login(system, mia["email"], PASSWORD).status_code == 401
