"""Where the web pages send people, through the real system (issue 17): after sign-in, a second
factor and a change of language only to a path of this site, whatever `next` holds (parsed, not
prefix-matched: browsers drop tabs and line breaks and read a backslash as a slash), never a 500;
and an error shown on a page comes from the system's own codes, never from text in the address."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient, hire
from tests.web_client import csrf_token

pytestmark = pytest.mark.e2e
PASSWORD = "Correct-Horse-Battery-9!"
HOSTILE = ["/\t/evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example/",
           "/\n/evil.example", "/x\r\nSet-Cookie: a=b", "http:/evil.example", " //evil.example", "/\x00/evil",
           "//evil.example/%2F..", "/%09/evil.example", "\t//evil.example", "javascript:alert(1)",
           "/" + "a" * 2500]
PLANTED = "Votre compte est suspendu : appelez le 1-900-555-0100"


@pytest.fixture(scope="module")
def person(system):
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)
    account = hire(coord, {"email": "nora.suivante@example.org", "first_name": "Nora", "last_name": "Suivante",
                           "role": "interpreter"}, PASSWORD)
    me = ApiClient.login(system.url, account["email"], PASSWORD)
    me.ok(me.post("/auth/mfa/setup", {"choice": "later"}))       # straight to `next` after sign-in
    return account


def same_site(system, location: str) -> bool:
    """A Location a browser would follow to this site only (it drops tabs and line breaks and reads
    backslashes as slashes before resolving)."""
    cleaned = "".join(c for c in location if c not in "\t\n\r").replace("\\", "/")
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return f"{parts.scheme}://{parts.netloc}" == system.url
    return cleaned.startswith("/") and not cleaned.startswith("//")


def sign_in(system, person, next_url: str) -> requests.Response:
    web = requests.Session()
    form = web.get(system.url + "/connexion", params={"next": next_url}, timeout=15)
    assert form.status_code == 200, (next_url, form.status_code)
    return web.post(system.url + "/connexion", allow_redirects=False, timeout=15, data={
        "identifier": person["email"], "password": PASSWORD, "next": next_url,
        "csrf_token": csrf_token(form.text)})


@pytest.mark.parametrize("next_url", HOSTILE)
def test_sign_in_sends_only_to_a_path_of_this_site(system, person, next_url):
    resp = sign_in(system, person, next_url)
    assert resp.status_code == 302, (next_url, resp.status_code)
    assert same_site(system, resp.headers["Location"]), (next_url, resp.headers["Location"])
    assert not any(c in resp.headers["Location"] for c in "\t\r\n\\ ")


def test_a_path_of_this_site_is_kept(system, person):
    resp = sign_in(system, person, "/profil?onglet=1")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/profil?onglet=1")


@pytest.mark.parametrize("next_url", HOSTILE)
def test_the_language_switch_sends_only_to_a_path_of_this_site(system, next_url):
    web = requests.Session()
    page = web.get(system.url + "/connexion", timeout=15)
    resp = web.post(system.url + "/langue", allow_redirects=False, timeout=15,
                    data={"lang": "en", "next": next_url, "csrf_token": csrf_token(page.text)})
    assert resp.status_code == 302, (next_url, resp.status_code)
    assert same_site(system, resp.headers["Location"]), (next_url, resp.headers["Location"])


@pytest.mark.parametrize("next_url", HOSTILE)
def test_the_second_factor_pages_keep_next_harmless(system, next_url):
    for path in ("/connexion/code", "/securite/double-authentification"):
        resp = requests.get(system.url + path, params={"next": next_url}, allow_redirects=False, timeout=15)
        assert resp.status_code < 500, (path, next_url, resp.status_code)
        if resp.is_redirect:
            location = resp.headers["Location"]
            assert same_site(system, location), (path, location)
            inner = parse_qs(urlsplit(location).query).get("next", [""])[0]
            assert not inner or same_site(system, inner), (path, location)


def test_an_error_in_the_address_is_not_shown_as_the_systems(system):
    email, password = system.coordinator_credentials()
    web = requests.Session()
    form = web.get(system.url + "/connexion", timeout=15)
    web.post(system.url + "/connexion", timeout=15, data={"identifier": email, "password": password,
                                                          "csrf_token": csrf_token(form.text)})
    for path in ("/interpretes", "/paie", "/reservations", "/calendrier"):
        page = web.get(system.url + path, params={"erreur": PLANTED}, timeout=15)
        assert page.status_code == 200, (path, page.status_code)
        shown = re.sub(r'value="[^"]*"', "", page.text)       # the language form keeps the address, unseen
        assert "1-900" not in shown and "suspendu" not in shown, path
        known = web.get(system.url + path, params={"erreur": "auth.forbidden"}, timeout=15)
        shown = re.sub(r'value="[^"]*"', "", known.text)
        assert "auth.forbidden" not in shown, path                      # a code is never shown as such
        assert "Vous n&#39;avez pas les droits nécessaires" in shown, path   # but said, as the system says it


def test_secrets_in_addresses_stay_out_of_the_access_log(system):
    """Issue 17: a reset link's token and a calendar feed's secret, in the request line and in the
    Referer a browser sends from the reset page, never reach the gateway's access log."""
    token, secret = "resetTOKENvalue0123456789abcdefXYZ", "calSECRETvalue0123456789abcdefXYZ"
    requests.get(system.url + "/reset-password", params={"token": token}, timeout=15)
    requests.get(system.url + f"/cal/{secret}.ics", timeout=15)
    requests.get(system.url + "/connexion", headers={"Referer": f"{system.url}/reset-password?token={token}"},
                 params={"marker": "after-secrets"}, timeout=15)
    log = system.data_dir / "logs" / "gateway.log"
    wait_until(lambda: "after-secrets" in log.read_text(errors="replace"), timeout=15)
    text = log.read_text(errors="replace")
    assert "/reset-password?token=***" in text and "/cal/***.ics" in text
    assert token not in text and secret not in text
