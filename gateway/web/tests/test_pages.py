"""The web pages over the gateway's fake services: session cookie flags, CSRF, page CSP, language,
visibility (someone else's booking is a 404 page), the iCalendar feed's secret and its revocation."""
from __future__ import annotations

import re

import pytest

from gateway.app import create_app
from gateway.tests.conftest import KID, OLD_KID, OLD_SECRET, SECRET, make_token
from gateway.tests.fake_rpc import FakeServices

PASSWORD = "Motdepasse-Solide-1!"


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("IMS_JWT_KEYS", f"{KID}:{SECRET},{OLD_KID}:{OLD_SECRET}")
    monkeypatch.setenv("IMS_DATA_DIR", str(tmp_path))


@pytest.fixture
def fake():
    return FakeServices(token_factory=lambda a: make_token(a["user_id"], a["role"], a.get("establishment"),
                                                           lang=a.get("display_language")))


@pytest.fixture
def app(fake):
    app = create_app(rpc=fake)
    app.config["TESTING"] = True
    return app


def csrf_of(client, path="/connexion", **kw) -> str:
    html = client.get(path, **kw).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


def sign_in(client, identifier, **kw):
    token = csrf_of(client, **kw)
    return client.post("/connexion", data={"identifier": identifier, "password": PASSWORD, "csrf_token": token},
                       **kw)


def test_login_page_is_french_with_page_csp_and_the_api_keeps_deny_all(app):
    client = app.test_client()
    resp = client.get("/connexion")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert '<html lang="fr">' in html and "Courriel ou identifiant" in html and 'for="f-identifier"' in html
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY" and resp.headers["Cache-Control"] == "no-store"
    api = client.get("/api/v1/bookings")
    assert "sandbox" in api.headers["Content-Security-Policy"]


def test_session_cookie_is_httponly_lax_and_secure_except_on_loopback_http(app, fake):
    fake.add_account("interpreter", user_id="UBIPN0002")
    resp = sign_in(app.test_client(), "UBIPN0002", base_url="http://127.0.0.1:8000")
    assert resp.status_code == 302
    cookie = next(c for c in resp.headers.getlist("Set-Cookie") if c.startswith("ims_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    resp = sign_in(app.test_client(), "UBIPN0002", base_url="http://ims.example.org")
    cookie = next(c for c in resp.headers.getlist("Set-Cookie") if c.startswith("ims_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_a_form_without_its_csrf_token_is_refused(app, fake):
    fake.add_account("interpreter", user_id="UBIPN0002")
    client = app.test_client()
    client.get("/connexion")
    resp = client.post("/connexion", data={"identifier": "UBIPN0002", "password": PASSWORD})
    assert resp.status_code == 400
    resp = client.post("/connexion", data={"identifier": "UBIPN0002", "password": PASSWORD, "csrf_token": "0" * 64})
    assert resp.status_code == 400
    assert not any(c.startswith("ims_session=") for c in resp.headers.getlist("Set-Cookie"))


def test_wrong_password_shows_the_message_in_french(app, fake):
    fake.add_account("interpreter", user_id="UBIPN0002")
    client = app.test_client()
    resp = client.post("/connexion", data={"identifier": "UBIPN0002", "password": "non", "csrf_token": csrf_of(client)})
    assert resp.status_code == 400 and 'role="alert"' in resp.get_data(as_text=True)


def test_pages_need_a_session_and_someone_elses_booking_is_not_found(app, fake):
    requester = fake.add_account("requester", establishment="HC")
    fake.add_account("interpreter", user_id="UBIPN0002")
    booking = fake.call("booking", "create_booking", {"user_id": requester["user_id"], "role": "requester",
                                                      "establishment": "HC"},
                        {"source_language": "Français", "target_language": "Hongrois", "mode": "phone",
                         "date": "2030-01-07", "start_time": "09:00", "duration_minutes": 60})
    client = app.test_client()
    assert client.get(f"/reservations/{booking['id']}").status_code == 302  # to the login page
    sign_in(client, "UBIPN0002")
    resp = client.get(f"/reservations/{booking['id']}")
    assert resp.status_code == 404 and "Introuvable" in resp.get_data(as_text=True)
    assert "Hongrois" not in resp.get_data(as_text=True)
    assert client.get("/tableau-de-bord").status_code == 404  # a coordinator's page


def test_the_language_switch_gives_english(app, fake):
    fake.add_account("interpreter", user_id="UBIPN0002")
    client = app.test_client()
    token = csrf_of(client)
    client.post("/langue", data={"lang": "en", "next": "/connexion", "csrf_token": token})
    html = client.get("/connexion").get_data(as_text=True)
    assert '<html lang="en">' in html and "Email or user id" in html


def test_ical_feed_secret_works_until_revoked(app, fake, monkeypatch):
    fake.add_account("interpreter", user_id="UBIPN0002")
    client = app.test_client()
    sign_in(client, "UBIPN0002")
    token = csrf_of(client, "/calendrier/abonnement")
    html = client.post("/calendrier/abonnement", data={"action": "new", "csrf_token": token}).get_data(as_text=True)
    url = re.search(r"(/cal/[A-Za-z0-9_-]+\.ics)", html).group(1)
    anonymous = app.test_client()
    feed = anonymous.get(url)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert feed.get_data(as_text=True).startswith("BEGIN:VCALENDAR")
    client.post("/calendrier/abonnement", data={"action": "revoke", "csrf_token": csrf_of(client, "/calendrier/abonnement")})
    assert anonymous.get(url).status_code == 404


def test_ical_feed_is_folded_and_escaped_per_rfc_5545(app, fake):
    """Issue 17: a facility name with a bare CR (or LF, ';', ',') stays inside its property, and no
    content line is longer than 75 octets (folded with CRLF and a space, never inside a character)."""
    fake.add_account("interpreter", user_id="UBIPN0002")
    booking = fake.booking__create_booking({"user_id": "UBIRQ0001", "role": "coordinator"}, {
        "source_language": "Français", "target_language": "Créole haïtien", "mode": "in_person",
        "facility": "Hôpital\rDTSTART:19700101T000000Z; aile B, étage 3 — " + "é" * 60})
    booking.update(status="booked", assigned_interpreter_id="UBIPN0002")
    client = app.test_client()
    sign_in(client, "UBIPN0002")
    token = csrf_of(client, "/calendrier/abonnement")
    html = client.post("/calendrier/abonnement", data={"action": "new", "csrf_token": token}).get_data(as_text=True)
    raw = app.test_client().get(re.search(r"(/cal/[A-Za-z0-9_-]+\.ics)", html).group(1)).get_data()
    assert raw.endswith(b"\r\n") and b"\r" not in raw.replace(b"\r\n", b"") and b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines), [len(line) for line in lines]
    unfolded = raw.decode("utf-8").replace("\r\n ", "").split("\r\n")
    [location] = [line for line in unfolded if line.startswith("LOCATION:")]
    assert location == "LOCATION:Hôpital\\nDTSTART:19700101T000000Z\\; aile B\\, étage 3 — " + "é" * 60
    assert [line for line in unfolded if line.startswith("DTSTART:")] == ["DTSTART:20250901T130000Z"]


def test_sign_in_with_a_second_factor(app, fake):
    fake.add_account("interpreter", user_id="UBIPN0002")
    signed = fake.auth__login
    fake.auth__login = lambda identifier, password, ip: {"mfa_required": True, "mfa_token": "mfa-tok",
                                                         "expires_in": 600, "channels": ["sms", "email"]}
    fake.auth__mfa_send = lambda token, channel: {"sent": True, "channel": channel}
    fake.auth__mfa_verify = lambda token, code, channel: (
        signed("UBIPN0002", PASSWORD, "") if (token, code) == ("mfa-tok", "123456") else (_ for _ in ()).throw(
            __import__("ims_common.errors", fromlist=["Unauthorized"]).Unauthorized("mfa.invalid_code")))
    client = app.test_client()
    resp = sign_in(client, "UBIPN0002")
    assert resp.status_code == 302 and "/connexion/code" in resp.location
    page = client.get(resp.location)
    html = page.get_data(as_text=True)
    assert "Recevoir un code" in html and "par texto" in html
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)
    sent = client.post(resp.location, data={"action": "send", "channel": "sms", "csrf_token": token})
    assert "Un code vient d" in sent.get_data(as_text=True)
    assert fake.last_call("mfa_send")[2] == ("mfa-tok", "sms")
    wrong = client.post(resp.location, data={"action": "verify", "channel": "sms", "code": "000000", "csrf_token": token})
    assert 'role="alert"' in wrong.get_data(as_text=True)
    ok = client.post(resp.location, data={"action": "verify", "channel": "sms", "code": "123456", "csrf_token": token})
    assert ok.status_code == 302 and ok.location.endswith("/reservations")
    assert client.get("/reservations").status_code == 200


def test_coordinator_pages_render_and_a_requester_form_shows_field_errors(app, fake):
    fake.add_account("coordinator", user_id="UCOOR0001")
    fake.add_account("requester", user_id="UREQU0001", establishment="HC")
    coord = app.test_client()
    sign_in(coord, "UCOOR0001")
    for path in ("/tableau-de-bord", "/interpretes", "/paie", "/indicateurs", "/calendrier",
                 "/calendrier?vue=semaine", "/reservations?date_from=2025-01-01&date_to=2025-12-31&status=pending"):
        assert coord.get(path).status_code == 200, path
    assert "<svg" in coord.get("/indicateurs").get_data(as_text=True)
    requester = app.test_client()
    sign_in(requester, "UREQU0001")
    form = requester.get("/demandes/nouvelle").get_data(as_text=True)
    assert 'data-draft="ims-booking-draft:UREQU0001"' in form and 'for="f-target_language"' in form
    from ims_common.errors import ValidationFailed
    fake.failures[("booking", "create_booking")] = __import__("nameko.exceptions", fromlist=["RemoteError"]).RemoteError(
        "ValidationFailed", str(ValidationFailed("validation.failed", fields={"duration_minutes": ["field.out_of_range"]})))
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form).group(1)
    resp = requester.post("/demandes/nouvelle", data={"source_language": "Français", "target_language": "Hongrois",
                                                      "mode": "phone", "duration_minutes": "5", "csrf_token": token})
    assert resp.status_code == 400
    assert re.search(r'class="field invalid">\s*<label for="f-duration_minutes"', resp.get_data(as_text=True))


def test_every_page_text_has_its_english_translation_compiled():
    from pathlib import Path

    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po
    root = Path(__file__).resolve().parents[2] / "translations"
    template = read_po(open(root / "messages.pot", "rb"))
    compiled = read_mo(open(root / "en" / "LC_MESSAGES" / "messages.mo", "rb"))
    missing = [m.id for m in template if m.id and not (compiled.get(m.id) and compiled[m.id].string)]
    assert missing == []
