"""Issue 14: a person who chose English (the header's switch, /langue) reads the bank's reference names
in English on every page that shows them (the shipped reference data names Espagnol "Spanish", Santé
mentale "Mental health"), while booking keeps the French name; facilities, which have no English name,
stay in French. Desktop size (1366x768)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient
from tests.browser.test_journeys import MONTREAL, account_maker, menu
from tests.browser.test_people_list import DESKTOP, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bank(system):
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)
    return {"api": coord, "make": account_maker(coord)}


def in_english(page) -> None:
    menu(page, "button", "English").click()
    page.wait_for_selector("html[lang=en]")


def test_an_interpreter_in_english_reads_languages_and_contexts_in_english(system, bank, browser, step):
    api = bank["api"]
    eva = bank["make"]("interpreter", "Eva", "Anglais")
    api.ok(api.request("PATCH", f"/profiles/{eva['user_id']}", json={
        "language_pairs": [{"source": "Français", "target": "Espagnol", "country": "Mexique"}],
        "contexts": ["Santé mentale"]}))
    day = (datetime.now(MONTREAL) + timedelta(days=2)).date().isoformat()
    bid = api.ok(api.post("/bookings", {
        "source_language": "Français", "target_language": "Espagnol", "mode": "phone",
        "context": "Santé mentale", "establishment": "HC", "facility": "HC-HMR", "date": day,
        "start_time": "10:00", "duration_minutes": 60}), 201)["id"]
    api.ok(api.post(f"/bookings/{bid}/assign", {"interpreter_id": eva["user_id"]}))

    page = sign_in(browser, system, eva["user_id"], DESKTOP)
    in_english(page)
    page.get_by_role("link", name="Cards", exact=True).click()
    card = page.locator("li.card", has_text=bid)
    card.wait_for()
    assert "French → Spanish" in card.inner_text() and "Espagnol" not in card.inner_text()
    step(page, "list-cards")
    page.get_by_role("link", name="Table", exact=True).click()
    row = page.locator("tr", has_text=bid)
    row.wait_for()
    assert "French → Spanish" in row.inner_text()
    assert "Hôpital Maisonneuve-Rosemont" in row.inner_text()     # no English name: the French one
    step(page, "list-table")
    menu(page, "link", "Calendar").click()
    page.locator("summary", has_text="Spanish").first.wait_for()
    assert "Espagnol" not in page.inner_text("main")
    event = page.locator("details.event", has_text=bid)
    event.locator("summary").click()
    shown = event.inner_text()
    assert "French → Spanish" in shown and "Hôpital Maisonneuve-Rosemont" in shown, shown   # by name, not code
    step(page, "calendar")
    page.goto(f"{system.url}/reservations/{bid}")
    page.wait_for_selector("h1")
    main = page.inner_text("main")
    assert "French → Spanish" in main and "Mental health" in main, main
    assert "Espagnol" not in main and "Santé mentale" not in main
    step(page, "booking")
    menu(page, "link", "Profile").click()
    languages = page.locator("#profile-languages")
    languages.wait_for()
    assert "Spanish" in languages.inner_text() and "Espagnol" not in languages.inner_text()
    assert "Mental health" in page.inner_text("#profile-contexts")
    step(page, "profile")


def test_a_requester_in_english_asks_in_english_and_booking_keeps_the_french_names(system, bank, browser, step):
    api = bank["api"]
    rhea = bank["make"]("requester", "Rhea", "Anglais", establishment="HC")
    page = sign_in(browser, system, rhea["email"], DESKTOP)
    in_english(page)
    menu(page, "link", "New request").click()
    page.wait_for_selector("#booking-form")
    assert page.get_by_label("Source language", exact=True).input_value() == "French"
    target = page.get_by_label("Target language", exact=True)
    assert page.locator(f"datalist#{target.get_attribute('list')} option[value='Spanish']").count() == 1
    target.fill("Spanish")
    page.get_by_label("Context", exact=True).fill("Mental health")
    page.get_by_label("Request type", exact=True).select_option(label="By phone")
    page.get_by_label("Date", exact=True).fill((datetime.now(MONTREAL) + timedelta(days=5)).date().isoformat())
    page.get_by_label("Start time", exact=True).fill("11:00")
    page.get_by_label("Planned duration (minutes)", exact=True).fill("60")
    step(page, "form")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_selector("[data-sent]")
    bid = page.url.split("/reservations/")[1].split("?")[0]
    booking = api.ok(api.get(f"/bookings/{bid}"))
    assert (booking["source_language"], booking["target_language"], booking["context"]) == (
        "Français", "Espagnol", "Santé mentale"), booking
    assert "French → Spanish" in page.inner_text("main")
    step(page, "sent")

    # Modifying the duration alone changes nothing else (the English names shown are the kept ones).
    page.get_by_role("link", name="Modify").click()
    assert page.get_by_label("Target language", exact=True).input_value() == "Spanish"
    page.get_by_label("Planned duration (minutes)", exact=True).fill("90")
    page.get_by_role("button", name="Save").click()
    wait_until(lambda: api.ok(api.get(f"/bookings/{bid}"))["duration_minutes"] == 90, timeout=30)
    booking = api.ok(api.get(f"/bookings/{bid}"))
    assert (booking["source_language"], booking["target_language"], booking["context"]) == (
        "Français", "Espagnol", "Santé mentale"), booking
    step(page, "modified")
