"""Issue 14, item 1: the bookings page opens on what matters now. A requester whose establishment has a
long history sees their new request (nine days ahead) on page 1, the past one click away (latest
first), the deck's dense table on a wide screen and cards on a phone, and the view they set as
default ("Définir comme valeur par défaut") is the one the page opens on, on another device too."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.api_client import ApiClient
from tests.browser.test_journeys import MONTREAL, PASSWORD, account_maker, submit_login

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
PAST = 84
BOOKING = {"source_language": "Français", "target_language": "Hongrois", "mode": "phone",
           "context": "Santé physique", "establishment": "HC", "duration_minutes": 90}


def sign_in(browser, system, identifier, viewport):
    page = browser.new_context(locale="fr-CA", viewport=viewport).new_page()
    page.goto(system.url + "/connexion")
    submit_login(page, identifier, PASSWORD)
    if page.locator("h1:has-text('Double authentification')").count():
        page.get_by_role("button", name="Plus tard").click()
    page.wait_for_selector("h1:text-matches('Réservations|Calendrier')")
    return page


@pytest.fixture(scope="module")
def history(system):
    """An establishment (HC) with PAST bookings on the days before today, and its requester."""
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)
    requester = account_maker(coord)("requester", "Rita", "Liste", establishment="HC")
    today = datetime.now(MONTREAL).date()
    for days in range(1, PAST + 1):
        coord.ok(coord.post("/bookings", {**BOOKING, "date": (today - timedelta(days=days)).isoformat(),
                                          "start_time": "09:00"}), 201)
    return {"requester": requester, "today": today}


def test_a_new_request_nine_days_ahead_is_on_page_one(system, history, browser, shots):
    email = history["requester"]["email"]
    api = ApiClient.login(system.url, email, PASSWORD)
    ahead = (history["today"] + timedelta(days=9)).isoformat()
    new = api.ok(api.post("/bookings", {**BOOKING, "date": ahead, "start_time": "13:30"}), 201)["id"]

    # On a phone: the page opens on "Demandes en cours", from today on, the new request on page 1.
    phone = sign_in(browser, system, email, PHONE)
    assert "Demandes en cours" in phone.inner_text("h1")
    cards = phone.locator("ul.list-cards li.card")
    assert cards.count() == 1 and new in cards.first.inner_text()
    assert "13:30" in cards.first.inner_text() and "1 h 30" in cards.first.inner_text()
    assert "CIUSSS de l'Est-de-l'Île-de-Montréal" in cards.first.inner_text()     # the name, not "HC"
    assert phone.locator("table.dense").is_hidden()
    assert "À partir d'aujourd'hui" in phone.inner_text("#range")
    shots(phone, "liste-telephone-en-cours")

    # The past, one click away, the latest first.
    phone.get_by_role("link", name="Voir les réservations passées").click()
    phone.wait_for_selector("h1:has-text('Après la réservation')")
    first = phone.locator("ul.list-cards li.card").first.inner_text()
    assert (history["today"] - timedelta(days=1)).isoformat() in first
    assert f"{PAST} réservation(s)" in phone.inner_text("#range")
    phone.get_by_role("link", name="Page suivante").click()
    phone.wait_for_selector("text=Page précédente")
    assert (history["today"] - timedelta(days=51)).isoformat() in phone.locator("li.card").first.inner_text()
    shots(phone, "liste-telephone-passees-page-2")

    # On a wide screen: the deck's dense table, with its columns.
    wide = sign_in(browser, system, email, DESKTOP)
    table = wide.locator("table.dense")
    assert table.is_visible() and wide.locator("ul.list-cards").is_hidden()
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    assert headers == ["Statut", "Langues", "Type", "Établissement", "Date", "Début", "Durée", "Installation",
                       "Numéro"]
    row = table.locator("tbody tr").first.inner_text()
    for text in ("En attente", "Français → Hongrois", "Par téléphone", "CIUSSS de l'Est-de-l'Île-de-Montréal", ahead,
                 "13:30", "1 h 30", new):
        assert text in row, (text, row)
    assert wide.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shots(wide, "liste-bureau-tableau")

    # The table chosen as default on the phone: the next sign-in, on another device, opens on it.
    phone.get_by_role("link", name="Demandes en cours").click()
    phone.get_by_role("link", name="Tableau").click()
    phone.wait_for_selector("table.dense")
    phone.get_by_role("button", name="Définir comme valeur par défaut").click()
    phone.wait_for_selector("text=Vue par défaut enregistrée")
    assert phone.locator("#is-default").is_visible()
    shots(phone, "liste-telephone-tableau-par-defaut")
    again = sign_in(browser, system, email, PHONE)
    assert again.locator("table.dense").is_visible() and new in again.inner_text("table.dense")
    assert again.locator("#is-default").is_visible()
    # And the calendar as default: the bookings page opens on the calendar.
    again.locator("nav.views").get_by_role("link", name="Calendrier").click()
    again.get_by_role("button", name="Définir comme valeur par défaut").click()
    again.wait_for_selector("text=Vue par défaut enregistrée")
    again.goto(system.url + "/reservations")
    again.wait_for_selector("h1:has-text('Calendrier')")
    shots(again, "calendrier-par-defaut")
