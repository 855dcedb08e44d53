"""Signing in on the web pages as a person does: the form at /connexion, its CSRF token, the
identifier and password; the session's cookies then open pages as that person."""
from __future__ import annotations

import re

import requests

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_token(html: str) -> str:
    return CSRF.search(html).group(1)


def web_sign_in(base_url: str, identifier: str, password: str) -> requests.Session:
    session = requests.Session()
    form = session.get(base_url + "/connexion", timeout=15)
    assert form.status_code == 200, form.status_code
    resp = session.post(base_url + "/connexion", timeout=15, allow_redirects=False,
                        data={"identifier": identifier, "password": password, "csrf_token": csrf_token(form.text)})
    assert resp.status_code == 302 and "/connexion" not in resp.headers["Location"], resp.text[:500]
    return session
