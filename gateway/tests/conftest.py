"""Gateway tests: the Flask test client over an in-memory fake of the services (fake_rpc.py), and
tokens made here with PyJWT as the auth service makes them (docs/contracts.md, Token)."""
from __future__ import annotations

import time
import uuid

import jwt
import pytest

from gateway.app import create_app
from gateway.tests.fake_rpc import FakeServices

KID, SECRET = "test2", "gateway-tests-secret-0123456789-abcdefghijklmnop"
OLD_KID, OLD_SECRET = "test1", "gateway-tests-old-secret-9876543210-zyxwvutsrqpo"


def make_token(sub="UBIPN0002", role="interpreter", est=None, lang=None, name="Pepe2 Nomme2", *,
               ttl=900, kid=KID, secret=SECRET, algorithm="HS256", **overrides) -> str:
    now = int(time.time())
    claims = {"sub": sub, "role": role, "name": name, "est": est, "lang": lang, "iat": now, "exp": now + ttl,
              "iss": "ims-auth", "aud": "ims", "jti": uuid.uuid4().hex}
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None or k in ("est", "lang")}
    return jwt.encode(claims, secret, algorithm=algorithm, headers={"kid": kid})


def bearer(token: str, **headers) -> dict:
    return {"Authorization": f"Bearer {token}", **headers}


@pytest.fixture(autouse=True)
def jwt_keys(monkeypatch, tmp_path):
    monkeypatch.setenv("IMS_JWT_KEYS", f"{KID}:{SECRET},{OLD_KID}:{OLD_SECRET}")
    monkeypatch.setenv("IMS_DATA_DIR", str(tmp_path))


@pytest.fixture
def fake():
    services = FakeServices(token_factory=lambda a: make_token(a["user_id"], a["role"], a.get("establishment")))
    return services


@pytest.fixture
def app(fake):
    app = create_app(rpc=fake)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


class People:
    """Accounts in the fake, with headers carrying their tokens."""

    def __init__(self, fake: FakeServices):
        self.fake = fake
        self.requester = fake.add_account("requester", "UBIRQ0001", establishment="HC")
        self.other_requester = fake.add_account("requester", "UBIRQ0002", establishment="CHUM")
        self.interpreter = fake.add_account("interpreter", "UBIPN0002")
        self.interpreter2 = fake.add_account("interpreter", "UBIPN0003")
        self.coordinator = fake.add_account("coordinator", "UBICO0001")
        self.admin = fake.add_account("admin", "UBIAD0001")

    def headers(self, who: str, lang: str | None = None, **extra) -> dict:
        account = getattr(self, who)
        return bearer(make_token(account["user_id"], account["role"], account.get("establishment"), lang), **extra)


@pytest.fixture
def people(fake):
    return People(fake)


@pytest.fixture
def booking_fields():
    return {"source_language": "Français", "target_language": "Hongrois", "mode": "video",
            "date": "2025-09-01", "start_time": "09:00", "duration_minutes": 120,
            "video_platform": "Teams", "video_link": "https://example.org/meet/abc"}


@pytest.fixture
def booking(client, people, booking_fields):
    resp = client.post("/api/v1/bookings", json=booking_fields, headers=people.headers("requester"))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()
