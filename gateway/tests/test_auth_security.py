"""Account security routes at the gateway: strict bodies (an operator object in any field is a 400),
the restricted token of a temporary password, throttling as 429 with Retry-After."""
import pytest
from nameko.exceptions import RemoteError

from gateway.tests.conftest import bearer, make_token
from ims_common.errors import Unauthorized

GOOD = {
    "/api/v1/auth/login": {"identifier": "UBIPN0002", "password": "Motdepasse-Solide-1!"},
    "/api/v1/auth/mfa/setup": {"choice": "now", "mobile": "514 555-0101"},
    "/api/v1/auth/mfa/send": {"mfa_token": "t", "channel": "sms"},
    "/api/v1/auth/mfa/verify": {"mfa_token": "t", "code": "123456", "channel": "sms"},
    "/api/v1/auth/mfa/totp": {"code": "123456"},
    "/api/v1/auth/refresh": {"refresh_token": "r"},
    "/api/v1/auth/logout": {"refresh_token": "r"},
    "/api/v1/auth/password": {"current_password": "a", "new_password": "b", "confirm_password": "b"},
    "/api/v1/auth/password/forgot": {"email": "a@example.org"},
    "/api/v1/auth/password/reset": {"token": "t", "new_password": "b", "confirm_password": "b"},
}
CASES = [(path, field) for path, body in GOOD.items() for field in body]


@pytest.mark.parametrize("path,field", CASES)
def test_operator_object_in_any_field_is_a_400(client, fake, path, field):
    body = dict(GOOD[path], **{field: {"$gt": ""}})
    resp = client.post(path, json=body, headers=bearer(make_token(role="coordinator")))
    assert resp.status_code == 400, resp.get_json()
    assert field in resp.get_json()["error"]["fields"]
    assert not [c for c in fake.calls if c[0] == "auth" and c[1] != "login"]


@pytest.mark.parametrize("path", list(GOOD))
def test_unknown_fields_refused(client, path):
    resp = client.post(path, json=dict(GOOD[path], role="admin"), headers=bearer(make_token()))
    assert resp.status_code == 400 and "role" in resp.get_json()["error"]["fields"]


@pytest.mark.parametrize("action", ["deactivate", "reactivate", "unlock", "reset-mfa"])
def test_user_management_for_coordinators_only(client, fake, action):
    path = f"/api/v1/accounts/UBIPN0002/{action}"
    assert client.post(path, json={}, headers=bearer(make_token())).status_code == 403
    assert client.post(path, json={"$gt": ""}, headers=bearer(make_token(role="coordinator"))).status_code == 400
    fake.failures[("auth", "manage_account")] = RemoteError("Unauthorized", Unauthorized("x").args[0])
    client.post(path, json={}, headers=bearer(make_token(role="coordinator")))
    assert fake.calls[-1][1:3] == ("manage_account", (fake.calls[-1][2][0], "UBIPN0002", action))


def test_restricted_token_only_changes_the_password(client, fake):
    token = make_token(mcp=True)
    resp = client.get("/api/v1/me", headers=bearer(token))
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "auth.password_change_required"
    assert client.post("/api/v1/auth/mfa/setup", json={"choice": "later"}, headers=bearer(token)).status_code == 403
    resp = client.post("/api/v1/auth/password", json=GOOD["/api/v1/auth/password"], headers=bearer(token))
    assert resp.status_code != 403
    assert fake.calls[-1][1] == "change_password"
    assert client.get("/api/v1/me", headers=bearer(make_token(mcp=False))).status_code != 403


def test_throttled_login_is_a_429_with_retry_after(client, fake):
    fake.failures[("auth", "login")] = RemoteError(
        "Unauthorized", Unauthorized("auth.throttled", params={"retry_after": 8}).args[0])
    resp = client.post("/api/v1/auth/login", json=GOOD["/api/v1/auth/login"], headers={"Accept-Language": "en"})
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "8"
    error = resp.get_json()["error"]
    assert error["code"] == "auth.throttled" and error["retry_after"] == 8 and "8 seconds" in error["message"]
