"""Issue 15, item 2: the booking work page. Qualified candidates are listed first with why they fit,
in words; the excluded ones are folded away, each with its reason in words (a request type by its
label, the establishment by its name); names, never account ids. Offering to or assigning an excluded
interpreter is refused naming the reason; the coordinator's override is recorded with its reason and
shown on the booking. Desktop size, in French, on the running system."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient
from tests.browser.test_journeys import MONTREAL, account_maker
from tests.browser.test_validation_queue import staff_page

pytestmark = pytest.mark.e2e
HC_NAME = "CIUSSS de l'Est-de-l'Île-de-Montréal"
PROFILE = {"language_pairs": [{"source": "Français", "target": "Ourdou"}], "request_types": ["phone"],
           "availability": {"always": True, "slots": []}}


@pytest.fixture(scope="module")
def work(system):
    """Three interpreters of Urdu: Qadira qualified, Bilal blocked at HC, Omar taking video calls only;
    a phone call in Urdu at HC tomorrow."""
    email, password = system.coordinator_credentials()
    api = ApiClient.login(system.url, email, password)
    make = account_maker(api)
    people = {name: make("interpreter", name, "Travail") for name in ("Qadira", "Bilal", "Omar")}
    extra = {"Qadira": {}, "Bilal": {"establishment_blocks": [{"establishment": "HC", "reason": "Plainte"}]},
             "Omar": {"request_types": ["video"]}}
    for name, person in people.items():
        api.ok(api.request("PATCH", f"/profiles/{person['user_id']}", json={**PROFILE, **extra[name]}))
    tomorrow = (datetime.now(MONTREAL) + timedelta(days=1)).date().isoformat()
    booking = api.ok(api.post("/bookings", {
        "source_language": "Français", "target_language": "Ourdou", "mode": "phone", "context": "Santé physique",
        "establishment": "HC", "duration_minutes": 60, "date": tomorrow, "start_time": "13:00"}), 201)["id"]

    def matched():
        found = api.ok(api.get(f"/bookings/{booking}/candidates"))
        return ({c["interpreter_id"] for c in found["candidates"]} >= {people["Qadira"]["user_id"]}
                and {e["interpreter_id"] for e in found["excluded"]} >= {people["Bilal"]["user_id"],
                                                                          people["Omar"]["user_id"]})
    wait_until(matched, timeout=30)
    return {"api": api, "people": people, "booking": booking}


def test_candidates_ranked_with_reasons_and_the_excluded_folded(system, work, browser, shots):
    page = staff_page(browser, system)
    page.get_by_role("link", name="Tableau de bord").click()
    card = page.locator("#to-assign li", has_text=work["booking"])
    assert HC_NAME in card.inner_text()                    # the establishment by its name
    card.get_by_role("link", name=work["booking"]).click()
    assert page.inner_text("#establishment") == HC_NAME

    candidates = page.locator("#candidates")
    text = candidates.inner_text()
    assert not any(p["user_id"] in text for p in work["people"].values())   # names, not account ids
    qadira = candidates.locator("li[data-interpreter='Qadira Travail']")
    assert qadira.is_visible() and qadira.locator(".reasons").inner_text().strip()
    assert "Qadira Travail" not in page.inner_text("#excluded")

    bilal = page.locator("#excluded li[data-interpreter='Bilal Travail']")
    assert not bilal.is_visible()                          # folded until the coordinator opens it
    page.locator("#excluded summary").click()
    assert f"Bloqué pour l'établissement {HC_NAME}" in bilal.inner_text()
    omar = page.locator("#excluded li[data-interpreter='Omar Travail']").inner_text()
    assert "(Par téléphone)" in omar and "(phone)" not in omar
    shots(page, "demande-candidats-et-ecartes")


def test_an_excluded_interpreter_is_refused_then_assigned_with_a_recorded_override(system, work, browser, shots):
    page = staff_page(browser, system)
    page.goto(f"{system.url}/reservations/{work['booking']}")

    page.locator("#excluded summary").click()
    page.locator("#excluded li[data-interpreter='Bilal Travail'] input").check()
    page.get_by_role("button", name="Offrir", exact=True).click()
    refusal = page.inner_text("[role=alert]")
    assert "Bilal Travail ne peut pas recevoir d'offre" in refusal and HC_NAME in refusal

    page.get_by_label("Interprète à assigner").select_option(label="Bilal Travail")
    page.get_by_role("button", name="Assigner", exact=True).click()
    refusal = page.inner_text("[role=alert]")
    assert "Bilal Travail ne peut pas être assigné" in refusal and f"Bloqué pour l'établissement {HC_NAME}" in refusal
    assert "raison de la dérogation" in refusal
    shots(page, "demande-assignation-refusee")

    page.get_by_label("Interprète à assigner").select_option(label="Bilal Travail")
    page.get_by_label("Raison de passer outre (si l'appariement écarte cet interprète)").fill(
        "Seul interprète d'ourdou joignable")
    page.get_by_role("button", name="Assigner", exact=True).click()
    page.wait_for_selector("h1:has-text('Réservé')")
    assert "Bilal Travail" in page.inner_text("#assigned")
    override = page.inner_text("#override")
    assert "Seul interprète d'ourdou joignable" in override and HC_NAME in override
    shots(page, "demande-assignee-par-derogation")
    recorded = work["api"].ok(work["api"].get(f"/bookings/{work['booking']}"))
    assert recorded["assigned_interpreter_id"] == work["people"]["Bilal"]["user_id"]
    assert recorded["assign_override"]["reason"] == "Seul interprète d'ourdou joignable"


def test_the_facility_is_shown_by_its_name_on_the_booking_and_in_the_list(system, work, browser, shots):
    api = work["api"]
    tomorrow = (datetime.now(MONTREAL) + timedelta(days=1)).date().isoformat()
    booking = api.ok(api.post("/bookings", {
        "source_language": "Français", "target_language": "Ourdou", "mode": "in_person", "context": "Santé physique",
        "establishment": "HC", "facility": "HC-HMR", "duration_minutes": 60, "date": tomorrow,
        "start_time": "16:00"}), 201)["id"]
    page = staff_page(browser, system)
    page.goto(f"{system.url}/reservations/{booking}")
    assert page.inner_text("#facility") == "Hôpital Maisonneuve-Rosemont"
    assert page.inner_text("#establishment") == HC_NAME
    page.goto(f"{system.url}/reservations?affichage=tableau")
    row = page.locator("tr", has_text=booking)
    assert "Hôpital Maisonneuve-Rosemont" in row.inner_text() and "HC-HMR" not in row.inner_text()
    assert HC_NAME in row.inner_text()
