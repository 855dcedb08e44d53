"""Issue 14, item 3, on a phone (390x844): the service report takes the deck's lists (overtime reason),
any number of communication lines, shows the actual duration it computes, keeps everything typed when
refused with each error in French beside its field, and its saved view shows everything reported."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.api_client import ApiClient
from tests.browser.test_journeys import MONTREAL, account_maker
from tests.browser.test_people_detail import local_input, no_sideways_scroll
from tests.browser.test_people_list import PHONE, sign_in

pytestmark = pytest.mark.e2e


def test_report_with_lists_lines_duration_and_nothing_lost(system, browser, shots):
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)
    ines = account_maker(coord)("interpreter", "Ines", "Rapport")
    start = (datetime.now(MONTREAL) - timedelta(hours=3)).replace(second=0, microsecond=0)
    bid = coord.ok(coord.post("/bookings", {
        "source_language": "Français", "target_language": "Hongrois", "mode": "phone", "context": "Santé physique",
        "establishment": "HC", "date": start.date().isoformat(), "start_time": start.strftime("%H:%M"),
        "duration_minutes": 60}), 201)["id"]
    coord.ok(coord.post(f"/bookings/{bid}/assign", {"interpreter_id": ines["user_id"]}))

    page = sign_in(browser, system, ines["user_id"], PHONE)
    page.goto(f"{system.url}/reservations/{bid}")
    assert page.inner_text("#assigned").strip() == "Vous"            # not their account's code
    page.get_by_label("Début réel", exact=True).fill(local_input(start))
    page.get_by_label("Fin réelle", exact=True).fill(local_input(start + timedelta(minutes=90)))
    assert "1 h 30" in page.inner_text("#actual-duration") and "prévue : 1 h" in page.inner_text("#actual-duration")
    assert page.locator("select#f-overtime_reason option", has_text="Rendez-vous plus long que prévu").count() == 1
    page.get_by_label("Distance parcourue (km)", exact=True).fill("42,5")
    page.get_by_label("Autres frais ($)", exact=True).fill("12,50")
    page.get_by_label("Commentaires", exact=True).fill("Usager accompagné de sa fille")
    page.locator("#f-comm_at-0").fill(local_input(start - timedelta(hours=1)))
    page.locator("#f-comm_purpose-0").fill("Rappel du rendez-vous")
    page.locator("#f-comm_by-0").fill("Dre Roy")
    page.get_by_role("button", name="Ajouter une ligne").click()
    page.locator("#f-comm_at-1").wait_for()
    assert page.locator("#f-comm_purpose-0").input_value() == "Rappel du rendez-vous"
    assert page.get_by_label("Distance parcourue (km)", exact=True).input_value() == "42,5"
    page.locator("#f-comm_at-1").fill(local_input(datetime.now(MONTREAL) + timedelta(days=1)))
    page.locator("#f-comm_purpose-1").fill("Confirmation")
    page.get_by_role("button", name="Enregistrer le rapport").click()

    # Refused: no overtime reason, a call dated tomorrow; each error beside its field, nothing lost.
    page.wait_for_selector(".field.invalid")
    assert page.locator(".field.invalid:has(#f-overtime_reason) .error").count() == 1
    assert page.locator(".comm-line[data-line='2'] .field.invalid:has(#f-comm_at-1) .error").count() == 1
    assert page.locator(".comm-line[data-line='1'] .error").count() == 0
    for selector, value in (("#f-comm_purpose-0", "Rappel du rendez-vous"), ("#f-comm_by-0", "Dre Roy"),
                            ("#f-comm_purpose-1", "Confirmation"), ("#f-distance_km", "42,5"),
                            ("#f-other_fees", "12,50"), ("#f-actual_end", local_input(start + timedelta(minutes=90)))):
        assert page.locator(selector).input_value() == value, selector
    assert page.get_by_label("Commentaires", exact=True).input_value() == "Usager accompagné de sa fille"
    assert "overtime_reason" not in page.inner_text("main") and "communications.1" not in page.inner_text("main")
    no_sideways_scroll(page)
    shots(page, "rapport-refuse-rien-de-perdu")

    page.get_by_label("Raison du dépassement", exact=True).select_option(label="Rendez-vous plus long que prévu")
    page.locator("#f-comm_at-1").fill(local_input(start - timedelta(minutes=30)))
    page.get_by_role("button", name="Ajouter une ligne").click()
    page.locator("#f-comm_at-2").fill(local_input(start + timedelta(minutes=95)))
    page.locator("#f-comm_purpose-2").fill("Suivi après le rendez-vous")
    page.get_by_role("button", name="Enregistrer le rapport").click()
    page.wait_for_selector("h1:has-text('Service fourni')")
    saved = page.inner_text(".report-saved").replace("\xa0", " ")
    for text in ("1 h 30", "Rendez-vous plus long que prévu", "42,5 km", "12,50 $", "Rappel du rendez-vous",
                 "demandée par Dre Roy", "Confirmation", "Suivi après le rendez-vous", "Usager accompagné de sa fille"):
        assert text in saved, (text, saved)
    no_sideways_scroll(page)
    shots(page, "rapport-enregistre-tout-visible")
