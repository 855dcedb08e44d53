"""Tokens: missing, malformed, alg none, tampered, expired, foreign -> 401; a good one -> the actor."""
from __future__ import annotations

import base64
import json

import jwt
import pytest

from gateway.tests.conftest import OLD_KID, OLD_SECRET, bearer, make_token

ME = "/api/v1/me"


def _b64(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def unsigned_token(**claims) -> str:
    good = jwt.decode(make_token(**claims), options={"verify_signature": False})
    return f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': 'test2'})}.{_b64(good)}."


def tampered_token() -> str:
    header, payload, signature = make_token(role="interpreter").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "admin"  # privilege escalation attempt, signature left as is
    return f"{header}.{_b64(claims)}.{signature}"


def assert_401(resp, code):
    assert resp.status_code == 401, resp.get_data(as_text=True)
    assert resp.get_json()["error"]["code"] == code
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert resp.get_json()["error"]["message"]


def test_no_token_is_401_token_missing_in_french(client, people):
    resp = client.get(ME)
    assert_401(resp, "auth.token_missing")
    assert "jeton" in resp.get_json()["error"]["message"]


def test_no_token_in_english_with_accept_language(client, people):
    resp = client.get(ME, headers={"Accept-Language": "en-CA,en;q=0.8"})
    assert_401(resp, "auth.token_missing")
    assert "token" in resp.get_json()["error"]["message"]


@pytest.mark.parametrize("header", [
    "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc", "bearer not.a.jwt", "Bearer " + "a" * 9000,
])
def test_malformed_authorization_is_401(client, people, header):
    assert_401(client.get(ME, headers={"Authorization": header}), "auth.token_invalid")


@pytest.mark.parametrize("make", [
    pytest.param(unsigned_token, id="alg-none"),
    pytest.param(tampered_token, id="tampered"),
    pytest.param(lambda: make_token(ttl=-60), id="expired"),
    pytest.param(lambda: make_token(kid="unknown"), id="unknown-kid"),
    pytest.param(lambda: make_token(secret="another-secret-of-sufficient-length-0123456789"), id="wrong-key"),
    pytest.param(lambda: make_token(iss="someone-else"), id="wrong-issuer"),
    pytest.param(lambda: make_token(aud="other-app"), id="wrong-audience"),
    pytest.param(lambda: make_token(exp=None), id="no-expiry"),
    pytest.param(lambda: make_token(algorithm="HS512"), id="other-algorithm"),
    pytest.param(lambda: make_token(role="superuser"), id="unknown-role"),
    pytest.param(lambda: make_token(sub=""), id="empty-subject"),
])
def test_bad_tokens_are_401(client, people, make):
    assert_401(client.get(ME, headers=bearer(make())), "auth.token_invalid")


def test_token_signed_by_an_older_key_still_verifies(client, people):
    token = make_token("UBIPN0002", "interpreter", kid=OLD_KID, secret=OLD_SECRET)
    assert client.get(ME, headers=bearer(token)).status_code == 200


def test_actor_is_built_from_the_claims_with_the_request_id(client, people, fake):
    token = make_token("UBIRQ0001", "requester", est="HC", lang="en", name="Rita Demandeuse")
    resp = client.get(ME, headers=bearer(token, **{"X-Request-ID": "req-123"}))
    assert resp.status_code == 200
    assert resp.headers["X-Request-ID"] == "req-123"
    actor = dict(fake.last_call("get_account")[2][0])
    assert len(actor.pop("call_id")) == 32      # one per RPC call, for the services' redelivery checks
    assert actor == {"user_id": "UBIRQ0001", "role": "requester", "establishment": "HC",
                     "name": "Rita Demandeuse", "lang": "en", "correlation_id": "req-123"}


def test_a_new_correlation_id_when_none_or_unsafe_is_given(client, people, fake):
    client.get(ME, headers=people.headers("interpreter", **{"X-Request-ID": "bad\tid with spaces"}))
    first = fake.last_call("get_account")[2][0]["correlation_id"]
    client.get(ME, headers=people.headers("interpreter"))
    second = fake.last_call("get_account")[2][0]["correlation_id"]
    assert len(first) == 36 and len(second) == 36 and first != second


def test_token_language_wins_over_accept_language(client, people):
    resp = client.get("/api/v1/accounts/UNKNOWN1", headers=people.headers("coordinator", lang="en",
                                                                            **{"Accept-Language": "fr"}))
    assert resp.status_code == 404
    assert resp.get_json()["error"]["message"] == "Account not found."


def test_login_passes_identifier_password_and_client_address(client, people, fake):
    resp = client.post("/api/v1/auth/login", json={"identifier": "UBIPN0002", "password": "Motdepasse-Solide-1!"},
                       environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["token_type"] == "Bearer" and body["user"]["user_id"] == "UBIPN0002"
    assert fake.last_call("login")[2] == ("UBIPN0002", "Motdepasse-Solide-1!", "203.0.113.9")
    # The token it returns works at once.
    assert client.get(ME, headers=bearer(body["access_token"])).get_json()["user_id"] == "UBIPN0002"


def test_wrong_credentials_are_401_in_the_callers_language(client, people):
    body = {"identifier": "nobody@example.org", "password": "wrong"}
    fr = client.post("/api/v1/auth/login", json=body)
    en = client.post("/api/v1/auth/login", json=body, headers={"Accept-Language": "en"})
    assert fr.status_code == en.status_code == 401
    assert fr.get_json()["error"] == {"code": "auth.invalid_credentials",
                                      "message": "Identifiant ou mot de passe incorrect.", "fields": {}}
    assert en.get_json()["error"]["message"] == "Incorrect identifier or password."


def test_forwarded_address_is_used_only_behind_a_trusted_proxy(fake, people):
    from gateway.app import create_app

    body = {"identifier": "UBIPN0002", "password": "Motdepasse-Solide-1!"}
    headers = {"X-Forwarded-For": "198.51.100.7"}
    create_app(rpc=fake).test_client().post("/api/v1/auth/login", json=body, headers=headers)
    assert fake.last_call("login")[2][2] == "127.0.0.1"
    proxied = create_app(rpc=fake, config={"IMS_TRUSTED_PROXIES": 1})
    proxied.test_client().post("/api/v1/auth/login", json=body, headers=headers)
    assert fake.last_call("login")[2][2] == "198.51.100.7"


def test_a_token_seen_before_is_still_refused_once_it_expires(client, people):
    # The gateway keeps a verified token's claims (the same token comes with each request of a
    # session); what it keeps must not outlive the token.
    import time
    token = make_token(ttl=2)
    assert client.get(ME, headers=bearer(token)).status_code == 200
    time.sleep(2.2)
    assert_401(client.get(ME, headers=bearer(token)), "auth.token_invalid")


def test_a_token_seen_before_is_refused_once_its_key_is_rotated_away(client, people, monkeypatch):
    token = make_token(kid=OLD_KID, secret=OLD_SECRET)
    assert client.get(ME, headers=bearer(token)).status_code == 200
    from gateway.tests.conftest import KID, SECRET
    monkeypatch.setenv("IMS_JWT_KEYS", f"{KID}:{SECRET}")
    assert_401(client.get(ME, headers=bearer(token)), "auth.token_invalid")
