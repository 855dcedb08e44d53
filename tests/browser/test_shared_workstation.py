"""A hospital workstation several requesters share (issue 17, item 3), in Chromium: a booking draft
is kept per person, "Déconnexion" leaves nothing of it in the browser, and the next person's form
never starts from someone else's draft."""
from __future__ import annotations

import pytest

from tests.api_client import ApiClient
from tests.browser.test_journeys import PASSWORD, account_maker, menu, submit_login

pytestmark = pytest.mark.e2e
CHILD = "Consultation pour Léa Tremblay, 6 ans"


@pytest.fixture(scope="module")
def requesters(system):
    email, password = system.coordinator_credentials()
    make = account_maker(ApiClient.login(system.url, email, password))
    return [make("requester", "Rose", "Poste", establishment="HC"),
            make("requester", "Remi", "Poste", establishment="HC")]


def sign_in(page, system, email):
    page.goto(system.url + "/connexion")
    submit_login(page, email, PASSWORD)
    if page.locator("h1:has-text('Double authentification')").count():
        page.get_by_role("button", name="Plus tard").click()
    page.wait_for_selector("h1:has-text('Réservations')")


def drafts(page) -> dict:
    return page.evaluate("() => Object.fromEntries(Object.keys(localStorage).map(k => [k, localStorage[k]]))")


def test_a_draft_leaves_the_browser_at_sign_out_and_never_fills_another_persons_form(system, browser, requesters):
    rose, remi = requesters
    context = browser.new_context(locale="fr-CA", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, system, rose["email"])
    menu(page, "link", "Nouvelle demande").click()
    page.get_by_label("Détails du contexte", exact=True).fill(CHILD)
    page.wait_for_function("() => Object.values(localStorage).some(v => v.includes('Léa'))")
    assert any(rose["user_id"] in key for key in drafts(page))           # kept per person
    menu(page, "button", "Déconnexion").click()
    page.wait_for_selector("button:has-text('Se connecter')")
    assert not any("Léa" in value for value in drafts(page).values()), drafts(page)

    sign_in(page, system, remi["email"])
    menu(page, "link", "Nouvelle demande").click()
    page.wait_for_selector("form#booking-form")
    assert page.get_by_label("Détails du contexte", exact=True).input_value() == ""
    context.close()


def test_a_draft_left_by_a_session_that_timed_out_is_not_offered_to_the_next_person(system, browser, requesters):
    """No sign-out (the session ended by itself): the next person signs in on the same browser."""
    rose, remi = requesters
    context = browser.new_context(locale="fr-CA")
    page = context.new_page()
    sign_in(page, system, rose["email"])
    menu(page, "link", "Nouvelle demande").click()
    page.get_by_label("Détails du contexte", exact=True).fill(CHILD)
    page.wait_for_function("() => Object.values(localStorage).some(v => v.includes('Léa'))")
    context.clear_cookies()                                              # as if the session had expired
    sign_in(page, system, remi["email"])
    menu(page, "link", "Nouvelle demande").click()
    page.wait_for_selector("form#booking-form")
    assert page.get_by_label("Détails du contexte", exact=True).input_value() == ""
    context.close()
