"""Issue 14, done when: a link taken from each kind of email and SMS the system sends opens its page for
its addressee, in Chromium. The system runs as `make run` starts it, but its messages leave as in
production: email over SMTP to a real server on loopback (aiosmtpd), SMS over HTTP to a server in
Twilio's format (ims_common/testing/message_sinks.py). Each message is made to happen as people make it
happen (tests/test_message_links_e2e.py, which checks the same links over HTTP, builds the people and
notification's clock); each of its links is opened signed out (emails on a desktop, SMS on a phone),
the addressee signs in on the page it leads to, and lands on the page the link names with what it
is about in view, nothing scrolling sideways. Messages without a link (an offer given to another, the MFA code, "password
changed") are checked to carry none."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from ims_common.testing import message_sinks
from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.system import running_system
from ims_common.times import iso_z
from tests.browser.test_journeys import PASSWORD, menu
from tests.browser.test_people_detail import no_sideways_scroll
from tests.browser.test_people_list import DESKTOP, PHONE
from tests.test_message_links_e2e import (  # noqa: F401 (clock and world are fixtures used here)
    DIGEST_DELAY, LINK, Outbox, Person, clock, clock_env, create, key_of, text_of, world)

pytestmark = pytest.mark.e2e
SIZE_OF = {"email": DESKTOP, "sms": PHONE}


@pytest.fixture(scope="module")
def sinks():
    with message_sinks.smtp_sink() as smtp, message_sinks.sms_provider() as sms:
        yield smtp, sms


@pytest.fixture(scope="module")
def system(tmp_path_factory, clock, sinks):
    smtp, sms = sinks
    env = dict(clock_env(clock), SMTP_HOST=smtp.host, SMTP_PORT=str(smtp.port), SMS_PROVIDER="twilio",
               SMS_API_URL=sms.url, SMS_ACCOUNT_SID=sms.SID, SMS_AUTH_TOKEN=sms.TOKEN, SMS_FROM="+15140000000")
    with isolated_vhost() as amqp_uri:
        with running_system(tmp_path_factory.mktemp("ims-links-web"), amqp_uri, extra_env=env) as running:
            yield running


def same_page(url: str, link: str) -> bool:
    got, want = urlsplit(url), urlsplit(link)
    return got.path == want.path and parse_qs(got.query) == parse_qs(want.query)


class Received(Outbox):
    """The messages as the mail server and the SMS provider received them; `follow` opens their links."""

    def __init__(self, system, browser, step, smtp, sms):
        self.system, self.browser, self.step, self.smtp, self.sms = system, browser, step, smtp, sms
        self.opened: set[tuple] = set()

    def messages(self) -> list[dict]:
        mails = [{"channel": "email", "to": to, "subject": m["subject"], "body": m["body"]}
                 for m in list(self.smtp.messages) for to in m["to"]]
        return mails + [{"channel": "sms", "to": m["to"], "body": m["body"]} for m in list(self.sms.messages)]

    def follow(self, person: Person, messages: list[dict], name: str, *expect: str, sign_in=True) -> list:
        """Opens each link of `messages` in a new signed-out browser, signs in as `person` (unless
        `sign_in` is False) and checks the page: the link's, showing every `expect`. Returns the
        (page, link) of each, the page left open."""
        opened = []
        for message in messages:
            for url in LINK.findall(text_of(message)):
                assert url.startswith(self.system.url + "/"), (url, message)
                page = self.browser.new_context(locale="fr-CA", viewport=SIZE_OF[message["channel"]]).new_page()
                page.goto(url)
                if sign_in:
                    page.wait_for_selector("h1:has-text('Connexion')")   # signed out: sign in first
                    page.get_by_label("Courriel ou identifiant", exact=True).fill(person.email)
                    page.get_by_label("Mot de passe", exact=True).fill(person.password)
                    page.get_by_role("button", name="Se connecter").click()
                    page.wait_for_load_state()
                    if page.locator("h1:has-text('Double authentification')").count():
                        page.get_by_role("button", name="Plus tard").click()
                    page.wait_for_url(lambda u, url=url: same_page(u, url))
                main = page.locator("main")
                for text in expect:
                    main.get_by_text(text).first.wait_for()
                no_sideways_scroll(page)       # an SMS is read on a phone: its page fits the phone
                self.step(page, f"{name}-{message['channel']}")
                opened.append((page, url))
            self.opened.add(key_of(message))
        assert opened, (person.email, messages)
        return opened

    def booking(self, person: Person, bid: str, name: str, *markers: str, **wait) -> None:
        """Each message naming `bid` and `markers` to `person` opens the booking's page, its number in
        the heading."""
        for page, _ in self.follow(person, self.wait(person, bid, *markers, **wait), name):
            assert bid in page.inner_text("h1")
            page.context.close()


def test_a_link_from_each_kind_of_message_opens_its_page_for_its_addressee(
        system, clock, world, sinks, browser, step):
    received = Received(system, browser, step, *sinks)
    coord, coord_api = world["coord"]
    ines, ines_api = world["ines"]
    otto, otto_api = world["otto"]
    rita, rita_api = world["rita"]
    evening = clock.noon + timedelta(hours=6)    # for notification: today at 18:00, its reminder due

    # Offered to two interpreters: each opens the offer before Ines accepts; Otto's news that it went
    # to another carries no link.
    a = create(rita_api, evening)
    coord_api.ok(coord_api.post(f"/bookings/{a}/offer", {"interpreter_ids": [ines.user_id, otto.user_id]}))
    received.booking(ines, a, "offre", "nouvelle demande")
    received.booking(otto, a, "offre-autre-interprete", "nouvelle demande")
    ines_api.ok(ines_api.post(f"/bookings/{a}/accept"))
    assert not any(LINK.search(m["body"]) for m in received.wait(otto, a, "autre interprète"))
    received.booking(rita, a, "reservee-demandeur", "réservée")
    received.booking(ines, a, "rappel", "rappel")
    rita_api.ok(rita_api.post(f"/bookings/{a}/modify", {"duration_minutes": 150}))
    received.booking(ines, a, "modifiee", "modifiée")
    coord_api.ok(coord_api.post(f"/bookings/{a}/withdraw", {"reason": "Interprète malade"}))
    received.booking(coord, a, "retrait-coordonnateur", "retiré")

    # Assigned by the bank, then cancelled by the requester.
    c = create(rita_api, clock.noon + timedelta(days=3))
    coord_api.ok(coord_api.post(f"/bookings/{c}/assign", {"interpreter_id": ines.user_id}))
    received.booking(ines, c, "assignee", "assignée")
    received.booking(rita, c, "reservee-par-la-banque", "réservée")
    rita_api.ok(rita_api.post(f"/bookings/{c}/cancel", {"reason": "Rendez-vous reporté"}))
    received.booking(ines, c, "annulee", "annulée")

    # Served, reported, sent back, corrected, closed: the final remuneration's link shows its amount.
    started = datetime.now(timezone.utc).replace(second=0, microsecond=0) - timedelta(minutes=5)
    b = create(coord_api, started)
    coord_api.ok(coord_api.post(f"/bookings/{b}/assign", {"interpreter_id": ines.user_id}))
    received.booking(ines, b, "assignee-commencee", "assignée")
    received.booking(coord, b, "reservee-coordonnateur", "réservée")
    report = {"provided": True, "actual_start": iso_z(started), "actual_end": iso_z(datetime.now(timezone.utc)),
              "wait_minutes": 0, "distance_km": "0", "travel_minutes": 0, "communications": [], "words": 0,
              "other_fees_cents": 0, "additional_service": False, "comments": "RAS"}
    ines_api.ok(ines_api.post(f"/bookings/{b}/report", report))
    # Sent back first: its link opens the report's correction, the bank's comment above it.
    coord_api.ok(coord_api.post(f"/bookings/{b}/return-report", {"comment": "Précisez la fin du service"}))
    for page, _ in received.follow(ines, received.wait(ines, b, "corrige"), "rapport-renvoye",
                                   "Précisez la fin du service", "Enregistrer le rapport"):
        assert "Précisez la fin du service" in page.inner_text("#returned")
        page.context.close()
    ines_api.ok(ines_api.post(f"/bookings/{b}/correct-report", dict(report, comments="Fin précisée")))
    coord_api.ok(coord_api.post(f"/bookings/{b}/close", {"comment": "Conforme"}))
    for page, _ in received.follow(ines, received.wait(ines, b, "finalisée", timeout=90), "remuneration-finale",
                                   "Achevé"):
        assert "82,00" in page.inner_text("#remuneration")
        page.context.close()

    # An eligibility document expiring in ten days: the interpreter opens her profile, a coordinator
    # her file, at its documents.
    expires = (clock.noon + timedelta(days=10)).date().isoformat()
    coord_api.ok(coord_api.request("PATCH", f"/profiles/{ines.user_id}", json={"eligibility_documents": [
        {"name": "Permis de travail", "expires_on": expires, "inactive_if_invalid": False}]}))
    for page, _ in received.follow(ines, received.wait(ines, "« permis de travail »"), "document-interprete",
                                   "Permis de travail", expires):
        assert "Profil" in page.inner_text("h1")
        page.context.close()
    for page, _ in received.follow(coord, received.wait(coord, "« permis de travail »"),
                                   "document-coordonnateur", "Permis de travail"):
        assert page.inner_text("h1") == f"Dossier de {ines.name}"      # her file, at its documents
        page.context.close()

    # auth's account messages. A temporary password: its link is the sign-in page, where it works
    # and asks for a new one at once.
    made = coord_api.ok(coord_api.post("/accounts", {"email": "tania.temp@example.org", "first_name": "Tania",
                                                     "last_name": "Temp", "role": "interpreter"}), 201)
    tania = Person(made["user_id"], "tania.temp@example.org", "", "Tania Temp", "interpreter")
    [mail] = received.wait(tania, "mot de passe temporaire", channels=("email",))
    [(page, _)] = received.follow(tania, [mail], "mot-de-passe-temporaire", "Connexion", sign_in=False)
    page.get_by_label("Courriel ou identifiant", exact=True).fill(made["user_id"])
    page.get_by_label("Mot de passe", exact=True).fill(re.search(r"temporaire : (\S+)", mail["body"]).group(1))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_selector("h1:has-text('Changer le mot de passe')")
    step(page, "premier-mot-de-passe")
    page.context.close()

    # A reset link opens the page to choose a new password, signed out; the new one signs in.
    assert requests.post(system.url + "/api/v1/auth/password/forgot", json={"email": otto.email},
                         timeout=15).status_code == 200
    [(page, _)] = received.follow(otto, received.wait(otto, "réinitialis", channels=("email",)),
                                  "reinitialisation", "Nouveau mot de passe", sign_in=False)
    new_password = PASSWORD + "x"
    page.get_by_label("Nouveau mot de passe", exact=True).fill(new_password)
    page.get_by_label("Confirmer le nouveau mot de passe", exact=True).fill(new_password)
    page.get_by_role("button", name="Changer").click()
    page.wait_for_selector("text=Votre mot de passe a été changé.")
    page.get_by_role("link", name="Se connecter").click()
    page.get_by_label("Courriel ou identifiant", exact=True).fill(otto.email)
    page.get_by_label("Mot de passe", exact=True).fill(new_password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    if page.locator("h1:has-text('Double authentification')").count():
        page.get_by_role("button", name="Plus tard").click()
    menu(page, "link", "Profil").wait_for()
    step(page, "reinitialisation-connecte")
    page.context.close()
    # Password changed: the message says whom to write to, and carries no link.
    assert not LINK.search(received.wait(otto, "a été changé", channels=("email",))[0]["body"])

    # The coordinators' digest of what is unfilled within 48 h: the SMS links the dashboard, the email
    # each booking it lists.
    digest = received.wait(coord, "non pourvue", timeout=DIGEST_DELAY.total_seconds() + 120)
    for page, _ in received.follow(coord, [m for m in digest if m["channel"] == "sms"], "resume-sms",
                                   "Tableau de bord"):
        page.context.close()
    [email] = [m for m in digest if m["channel"] == "email"]
    assert world["pending"] in email["body"]
    for line in email["body"].splitlines():
        if line.startswith("- "):
            number = line[2:].split()[0]
            for page, _ in received.follow(coord, [dict(email, body=line)], "resume-courriel"):
                assert number in page.inner_text("h1")
                page.context.close()
    received.opened.add(key_of(email))

    # Nothing left out: every message that carries a link was opened above by its addressee.
    unopened = [text_of(m)[:100] for m in received.messages()
                if LINK.search(text_of(m)) and key_of(m) not in received.opened]
    assert not unopened, unopened
