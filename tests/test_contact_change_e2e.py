"""Changing where one is reached (issue 17, item 2), through the running system sending over SMTP to a
loopback server: one's own email or phone changes only with the current password (API and the
/profil form), and the address it replaces is told, with whom to contact if it was not them; so are a
password change and a second factor turned on."""
from __future__ import annotations

import pytest
import requests

from ims_common.testing import message_sinks
from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.system import running_system
from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient, hire
from tests.test_credentials_e2e import lines, outbox_code
from tests.web_client import csrf_token, web_sign_in

pytestmark = pytest.mark.e2e
PASSWORD = "Correct-Horse-Battery-9!"
BANK = "biq@ssss.gouv.qc.ca"


@pytest.fixture(scope="module")
def smtp():
    with message_sinks.smtp_sink() as sink:
        yield sink


@pytest.fixture(scope="module")
def system(tmp_path_factory, smtp):
    env = {"SMTP_HOST": smtp.host, "SMTP_PORT": str(smtp.port), "IMS_STEP_UP_WINDOW": "0"}
    with isolated_vhost() as amqp_uri:
        with running_system(tmp_path_factory.mktemp("ims-contact"), amqp_uri, extra_env=env) as running:
            yield running


@pytest.fixture(scope="module")
def coord(system):
    return ApiClient.login(system.url, *system.coordinator_credentials())


def notices(smtp, address: str, subject: str) -> list[dict]:
    return [mail for mail in smtp.to(address) if mail["subject"] == subject]


def test_email_and_mobile_change_by_api_asks_for_the_password_and_tells_the_old_address(system, smtp, coord):
    old, new = "rita.avant@example.org", "rita.apres@example.org"
    person = hire(coord, {"email": old, "first_name": "Rita", "last_name": "Avant", "role": "interpreter"}, PASSWORD)
    # The password change at the first sign-in is told too.
    wait_until(lambda: notices(smtp, old, "Votre mot de passe IMS a été changé"), timeout=30)
    coord.ok(coord.request("PATCH", f"/profiles/{person['user_id']}", json={"mobile": "514 555-0171"}))
    me = ApiClient.login(system.url, old, PASSWORD)

    bare = me.request("PATCH", "/me/profile", json={"email": new})
    assert bare.status_code == 422, bare.text
    assert bare.json()["error"]["fields"]["current_password"] == [
        "Pour changer votre courriel ou votre téléphone, entrez votre mot de passe actuel."]
    # In English for whoever reads in English (the token's language, from the profile at sign-in).
    me.ok(me.request("PATCH", "/me/profile", json={"display_language": "en"}))
    bare_en = ApiClient.login(system.url, old, PASSWORD).request("PATCH", "/me/profile", json={"mobile": "514 555-0199"})
    assert bare_en.status_code == 422 and bare_en.json()["error"]["fields"]["current_password"] == [
        "To change your email or phone number, enter your current password."], bare_en.text
    wrong = me.request("PATCH", "/me/profile", json={"email": new, "current_password": "Pas-Le-Bon-Mot-De-Passe-1"})
    assert wrong.status_code == 422 and wrong.json()["error"]["fields"]["current_password"] == [
        "Le mot de passe actuel est incorrect."], wrong.text
    assert me.ok(me.get("/me/profile"))["email"] == old        # refused: nothing changed
    # What does not move a contact needs no password.
    me.ok(me.request("PATCH", "/me/profile", json={"display_language": "fr", "email": old}))

    changed = me.ok(me.request("PATCH", "/me/profile", json={"email": new, "current_password": PASSWORD}))
    assert changed["email"] == new
    told = wait_until(lambda: notices(smtp, old, "Vos coordonnées IMS ont été changées"), timeout=30)
    assert len(told) == 1 and "adresse courriel" in told[0]["body"]
    assert "Ce n'est pas vous ?" in told[0]["body"] and BANK in told[0]["body"]
    assert new not in told[0]["body"]          # the old address is not told where the account went
    assert not notices(smtp, new, "Vos coordonnées IMS ont été changées")

    me.ok(me.request("PATCH", "/me/profile", json={"mobile": "514 555-0172", "current_password": PASSWORD}))
    phone = wait_until(lambda: [m for m in notices(smtp, new, "Vos coordonnées IMS ont été changées")
                                if "cellulaire" in m["body"]], timeout=30)
    assert "514 555-0172" not in phone[0]["body"] and BANK in phone[0]["body"]
    assert requests.post(system.url + "/api/v1/auth/login", timeout=15,
                         json={"identifier": new, "password": PASSWORD}).status_code == 200


def test_the_profile_form_asks_for_the_password_before_changing_the_email(system, smtp, coord):
    old, new = "paul.avant@example.org", "paul.apres@example.org"
    hire(coord, {"email": old, "first_name": "Paul", "last_name": "Avant", "role": "interpreter"}, PASSWORD)
    web = web_sign_in(system.url, old, PASSWORD)
    form = web.get(system.url + "/profil", timeout=15)
    assert 'name="current_password"' in form.text and "Mot de passe actuel" in form.text
    fields = {"csrf_token": csrf_token(form.text), "section": "contact", "email": new, "mobile": "",
              "phone": "", "display_language": "fr"}

    refused = web.post(system.url + "/profil", data=fields, timeout=15, allow_redirects=False)
    assert refused.status_code == 400, refused.status_code
    assert "Pour changer votre courriel ou votre téléphone, entrez votre mot de passe actuel." in refused.text

    saved = web.post(system.url + "/profil", data=dict(fields, current_password=PASSWORD), timeout=15,
                     allow_redirects=False)
    assert saved.status_code == 302 and "saved=1" in saved.headers["Location"], saved.text[:500]
    told = wait_until(lambda: notices(smtp, old, "Vos coordonnées IMS ont été changées"), timeout=30)
    assert "adresse courriel" in told[0]["body"] and BANK in told[0]["body"]


def test_turning_on_a_second_factor_is_told_to_the_email_address(system, smtp, coord):
    """Issue 17, item 2: a second factor turned on or replaced (with the password, the window being 0
    here) is told by email, with whom to contact if it was not them."""
    person = hire(coord, {"email": "mona.facteur@example.org", "first_name": "Mona", "last_name": "Facteur",
                          "role": "interpreter"}, PASSWORD)
    me = ApiClient.login(system.url, person["email"], PASSWORD)
    seen = lines(system, "sms")
    me.ok(me.post("/auth/mfa/setup", {"choice": "now", "mobile": "514 555-0144", "current_password": PASSWORD}))
    me.ok(me.post("/auth/mfa/verify", {"code": outbox_code(system, "sms", "5145550144", seen)}))
    told = wait_until(lambda: notices(smtp, person["email"], "Votre double authentification IMS a été changée"),
                      timeout=30)
    assert len(told) == 1 and "code par texto" in told[0]["body"] and BANK in told[0]["body"]
    assert "Ce n'est pas vous ?" in told[0]["body"]
