"""GET /api/v1/events and /api/v1/webhooks: who may call them (system tokens by scope, revocation,
coordinators), what reaches the services."""
from __future__ import annotations

import uuid

import pytest

from gateway.tests.conftest import bearer, make_token


def system_token(name="finance", scope="events:read", **claims) -> str:
    return make_token(f"SYS-{name}", "system", name=name, lang="en", scope=scope, ttl=86400 * 365, **claims)


@pytest.fixture
def events(fake):
    stored = [{"event_id": str(uuid.uuid4()), "type": "BookingCreated", "schema_version": 1,
               "stream_id": f"booking-HC-2424000{i}", "stream_version": 1, "position": i,
               "occurred_at": "2024-08-27T14:00:00.000000Z", "actor": {"user_id": "U", "role": "requester"},
               "correlation_id": None, "causation_id": None, "data": {"number": f"HC-2424000{i}"}}
              for i in range(1, 8)]

    def public_events_since(position, limit, context=False):
        calls.append(context)
        page = [e for e in stored if e["position"] > position][:limit]
        return {"items": page, "next_after": page[-1]["position"] if page else position}

    calls: list = []
    fake.booking__public_events_since = public_events_since
    fake.booking_context_asked = calls
    return stored


def test_only_a_system_token_granted_events_context_asks_for_the_context(client, fake, events, people):
    """The booking's context category is opt-in (issue 18): what booking is asked for per caller."""
    for headers in (bearer(system_token()), people.headers("coordinator"),
                    bearer(system_token(scope="events:read webhooks:manage"))):
        assert client.get("/api/v1/events", headers=headers).status_code == 200
    assert client.get("/api/v1/events", headers=bearer(system_token(scope="events:read events:context"))
                      ).status_code == 200
    assert client.get("/api/v1/events", headers=bearer(system_token(scope="events:context"))).status_code == 403
    assert fake.booking_context_asked == [False, False, False, True]


def test_a_system_token_with_events_read_pages_through_the_events(client, events):
    headers = bearer(system_token())
    got, after = [], 0
    while True:
        resp = client.get(f"/api/v1/events?after={after}&limit=3", headers=headers)
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        if body["next_after"] == after:
            break
        got += body["items"]
        after = body["next_after"]
    assert [e["position"] for e in got] == list(range(1, 8))


def test_who_may_read_the_events(client, events, people, monkeypatch, tmp_path):
    assert client.get("/api/v1/events").status_code == 401
    assert client.get("/api/v1/events", headers=people.headers("coordinator")).status_code == 200
    assert client.get("/api/v1/events", headers=people.headers("interpreter")).status_code == 403
    assert client.get("/api/v1/events", headers=people.headers("requester")).status_code == 403
    wrong_scope = bearer(system_token(scope="webhooks:manage"))
    assert client.get("/api/v1/events", headers=wrong_scope).status_code == 403
    bad_sub = bearer(make_token("UBICO0001", "system", scope="events:read"))
    assert client.get("/api/v1/events", headers=bad_sub).status_code == 401
    assert client.get("/api/v1/events?limit=0", headers=bearer(system_token())).status_code == 400
    assert client.get("/api/v1/events?after=-1", headers=bearer(system_token())).status_code == 400


def test_a_system_token_is_refused_by_every_other_route(client, people, fake):
    token = bearer(system_token(scope="events:read webhooks:manage"))
    assert client.get("/api/v1/bookings", headers=token).status_code == 401
    assert client.get("/api/v1/me", headers=token).status_code == 401


def test_a_revoked_system_token_is_refused(app, client, events):
    """What the gateway's feed does with auth's SystemTokenRevoked (here applied by hand: the fake has
    no feed; tests/test_auth_security_e2e.py goes through the running system)."""
    jti = uuid.uuid4().hex
    headers = bearer(system_token(jti=jti))
    assert client.get("/api/v1/events", headers=headers).status_code == 200
    app.extensions["ims_revocations"].apply("SystemTokenRevoked", {"jti": jti, "sub": "SYS-finance",
                                                                   "expires_at": 2**40})
    assert client.get("/api/v1/events", headers=headers).status_code == 401
    assert client.get("/api/v1/events", headers=bearer(system_token())).status_code == 200   # another


def test_system_tokens_are_issued_recorded_and_revoked_by_auth(tmp_path):
    from ims_common import config
    from ims_common.stores import open_blob_store, open_document_store, open_event_store
    from ims_common.tokens import verify_token
    from services.auth import bootstrap

    url = f"sqlite:///{tmp_path / 'auth.sqlite3'}"
    stores = open_event_store(url), open_document_store(url), open_blob_store(url)
    tokens = bootstrap.build(*stores).system_tokens
    made = tokens.create("stats-dw", ["events:read"], days=30)
    claims = verify_token(made["token"], config.jwt_keys())
    assert claims["role"] == "system" and claims["scope"] == "events:read" and claims["sub"] == "SYS-stats-dw"
    assert claims["exp"] - claims["iat"] == 30 * 86400
    assert [t["jti"] for t in tokens.listing()] == [made["jti"]]
    assert "token" not in tokens.listing()[0]
    tokens.revoke(made["jti"])
    tokens.revoke(made["jti"])                      # once is enough: one event
    [event] = [e for e in stores[0].read_all(0) if e.type == "SystemTokenRevoked"]
    assert event.stream_id == f"system-token-{made['jti']}"
    assert event.data == {"jti": made["jti"], "sub": "SYS-stats-dw", "expires_at": made["expires_at"]}
    assert bootstrap.build(*stores).revocations.in_force() == [{"type": "SystemTokenRevoked", "data": event.data}]
    with pytest.raises(ValueError):
        tokens.create("Bad Name", ["events:read"])
    with pytest.raises(ValueError):
        tokens.create("ok", ["bookings:write"])
    for store in stores:
        store.close()


def test_webhook_routes_pass_the_actor_and_check_the_body(client, fake, people):
    seen = []
    fake.webhooks__create_subscription = lambda actor, fields: seen.append((actor, fields)) or {
        "id": "wh_1", "url": fields["url"], "event_types": fields.get("event_types"), "owner": actor["user_id"],
        "active": True, "created_at": "2024-08-27T14:00:00Z", "secret": "whsec_x", "description": None}
    fake.webhooks__list_subscriptions = lambda actor: []
    fake.webhooks__delete_subscription = lambda actor, sub_id: {"id": sub_id}
    fake.webhooks__deliveries = lambda actor, sub_id, query: [{"id": f"{sub_id}:e", "status": "delivered"}]
    token = bearer(system_token(scope="webhooks:manage"))
    resp = client.post("/api/v1/webhooks", json={"url": "https://x.example/h", "event_types": ["BookingCreated"]},
                       headers=token)
    assert resp.status_code == 201 and resp.get_json()["secret"] == "whsec_x"
    assert seen[0][0]["role"] == "system" and seen[0][0]["user_id"] == "SYS-finance"
    assert seen[0][1].get("context") in (None, False)
    asked = client.post("/api/v1/webhooks", json={"url": "https://x.example/h", "context": True}, headers=token)
    assert asked.status_code == 201 and seen[1][1]["context"] is True     # webhooks checks the grant
    assert client.post("/api/v1/webhooks", json={"url": "https://x.example/h", "context": "yes"},
                       headers=token).status_code == 400
    bad = client.post("/api/v1/webhooks", json={"url": "https://x.example/h", "event_types": ["Nope"]},
                      headers=token)
    assert bad.status_code == 400
    assert client.get("/api/v1/webhooks", headers=token).get_json() == {"items": []}
    assert client.delete("/api/v1/webhooks/wh_1", headers=token).status_code == 204
    assert client.get("/api/v1/webhooks/wh_1/deliveries?status=delivered", headers=token).status_code == 200
    assert client.get("/api/v1/webhooks", headers=bearer(system_token())).status_code == 403
    assert client.get("/api/v1/webhooks", headers=people.headers("coordinator")).status_code == 200
    assert client.get("/api/v1/webhooks", headers=people.headers("interpreter")).status_code == 403
