"""A small HTTP client for the gateway's JSON API, as a requester, interpreter or coordinator."""
from __future__ import annotations

import requests


class ApiClient:
    def __init__(self, base_url: str, token: str | None = None, lang: str = "fr"):
        self.base = base_url.rstrip("/") + "/api/v1"
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = lang
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    @classmethod
    def login(cls, base_url: str, identifier: str, password: str) -> "ApiClient":
        resp = requests.post(base_url + "/api/v1/auth/login",
                             json={"identifier": identifier, "password": password}, timeout=15)
        assert resp.status_code == 200, resp.text
        return cls(base_url, resp.json()["access_token"])

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=15, **kwargs)

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json=None, **kwargs):
        return self.request("POST", path, json=json if json is not None else {}, **kwargs)

    def ok(self, resp: requests.Response, status: int = 200) -> dict:
        assert resp.status_code == status, f"{resp.request.method} {resp.request.url}: {resp.status_code} {resp.text}"
        return resp.json()



GIVEN_PASSWORD = "Donne-Par-La-Banque-2024!"   # what a coordinator types at creation


def hire(coord: ApiClient, fields: dict, password: str) -> dict:
    """The account a coordinator makes (with a first password of theirs), then the person's first
    sign-in, where that password must be replaced: by `password`, which signs them in afterwards."""
    account = coord.ok(coord.post("/accounts", dict(fields, password=GIVEN_PASSWORD)), 201)
    base = coord.base[: -len("/api/v1")]
    resp = requests.post(base + "/api/v1/auth/login", json={"identifier": account["email"],
                                                            "password": GIVEN_PASSWORD}, timeout=15)
    assert resp.status_code == 200 and resp.json().get("password_change_required"), resp.text
    first = ApiClient(base, resp.json()["access_token"])
    first.ok(first.post("/auth/password", {"current_password": GIVEN_PASSWORD, "new_password": password,
                                           "confirm_password": password}))
    return account
