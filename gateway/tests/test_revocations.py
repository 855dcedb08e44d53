"""The gateway's revocation view (gateway/revocations.py) through the Flask test client: a revoked session
or account is a 401 on the API and the sign-in page on the web; without a view it fails closed (503)
after a bounded wait at start and a bounded grace after the feed is lost. The feed itself, over
RabbitMQ with two workers, is tested end to end (tests/test_auth_security_e2e.py)."""
from __future__ import annotations

import time

import pytest

from gateway.revocations import RevocationView, Unavailable
from gateway.tests.conftest import bearer, make_token

LATER = int(time.time()) + 3600


def revoke(app, **data):
    app.extensions["ims_revocations"].apply("SessionsRevoked", {"user_id": "UBIPN0002", "session_ids": [],
                                                                "not_before": None, "reason": "logout",
                                                                "expires_at": LATER, **data})


def test_a_revoked_session_is_a_401_and_the_others_go_on(app, client, people):
    mine, other = make_token(sid="s-mine"), make_token(sid="s-other")
    assert client.get("/api/v1/me", headers=bearer(mine)).status_code == 200
    revoke(app, session_ids=["s-mine"])
    resp = client.get("/api/v1/me", headers=bearer(mine))
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "auth.token_invalid"
    assert client.get("/api/v1/bookings", headers=bearer(mine)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200


def test_an_account_revoked_up_to_a_second_refuses_the_tokens_issued_before(app, client, people):
    now = int(time.time())
    before = make_token(sid="a", iat=now - 5)
    same_second = make_token(sid="b", iat=now)
    revoke(app, not_before=now)
    assert client.get("/api/v1/me", headers=bearer(before)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(same_second)).status_code == 200   # named by session if older
    assert client.get("/api/v1/me", headers=bearer(make_token("UBIPN0003", iat=now - 5))).status_code == 200


def test_a_revoked_cookie_is_signed_out_on_the_web(app, client, people):
    token = make_token(sid="s-web")
    client.set_cookie("ims_session", token)
    assert client.get("/reservations").status_code == 200
    revoke(app, session_ids=["s-web"])
    resp = client.get("/reservations")
    assert resp.status_code == 302 and "/connexion" in resp.headers["Location"]


def test_the_actor_carries_the_session(app, client, fake, people):
    client.get("/api/v1/me", headers=bearer(make_token(sid="s-1")))
    assert [c for c in fake.calls if c[1] == "get_account"][-1][2][0]["session_id"] == "s-1"


def test_without_a_view_tokens_are_refused_with_503(app, client):
    started = []
    app.extensions["ims_revocations"] = RevocationView(start=lambda: started.append(1), wait=0.05, grace=10)
    resp = client.get("/api/v1/me", headers=bearer(make_token()))
    assert resp.status_code == 503 and resp.headers["Retry-After"]
    assert resp.get_json()["error"]["code"] == "service.unavailable" and started
    assert client.get("/api/v1/openapi.json").status_code == 200     # what needs no token still answers
    client.set_cookie("ims_session", make_token())
    assert client.get("/reservations").status_code == 503


def test_a_lost_feed_keeps_the_last_view_for_its_grace_then_fails_closed():
    now = [1000.0]
    view = RevocationView(wait=0, grace=10, clock=lambda: now[0])
    view.loaded([{"type": "SessionsRevoked", "data": {"user_id": "U", "session_ids": ["s1"], "not_before": None,
                                                      "reason": "logout", "expires_at": LATER}}])
    assert view.revoked({"sub": "U", "sid": "s1", "iat": 1}) and not view.revoked({"sub": "U", "sid": "s2"})
    view.feed_lost()
    now[0] += 9.5
    assert view.revoked({"sub": "U", "sid": "s1", "iat": 1})
    now[0] += 1
    with pytest.raises(Unavailable):
        view.revoked({"sub": "U", "sid": "s2"})
    view.loaded([])                                   # the feed is back: what was known stays
    assert view.revoked({"sub": "U", "sid": "s1", "iat": 1})
