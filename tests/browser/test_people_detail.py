"""Issue 14, item 2, on a phone (390x844) and a desktop (1366x768): the assigned interpreter sees what
changed in a "Modifié" booking (old -> new) and re-confirms it on the web; then withdraws it more
than 48 h ahead with the communications already made (a refused line keeps what was typed and says
why beside it), and lands on a page saying what happens next, never "Introuvable"; the bank sees the
communications on the booking."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.api_client import ApiClient
from tests.browser.test_journeys import MONTREAL, account_maker
from tests.browser.test_people_list import sign_in

pytestmark = pytest.mark.e2e
SIZES = {"telephone": {"width": 390, "height": 844}, "bureau": {"width": 1366, "height": 768}}
BOOKING = {"source_language": "Français", "target_language": "Espagnol", "mode": "phone",
           "context": "Santé physique", "establishment": "HC", "start_time": "13:30", "duration_minutes": 60}


@pytest.fixture(scope="module")
def bank(system):
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)
    return {"api": coord, "make": account_maker(coord), "coordinator": email}


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def local_input(moment: datetime) -> str:
    return moment.astimezone(MONTREAL).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("size", sorted(SIZES))
def test_reconfirm_a_modified_booking_then_withdraw_with_communications(system, bank, browser, shots, size):
    api = bank["api"]
    interpreter = bank["make"]("interpreter", "Ines", f"Detail{size.capitalize()}")
    day = (datetime.now(MONTREAL) + timedelta(days=5)).date().isoformat()
    bid = api.ok(api.post("/bookings", {**BOOKING, "date": day}), 201)["id"]
    api.ok(api.post(f"/bookings/{bid}/assign", {"interpreter_id": interpreter["user_id"]}))
    api.ok(api.post(f"/bookings/{bid}/modify", {"start_time": "15:00", "duration_minutes": 90}))

    page = sign_in(browser, system, interpreter["user_id"], SIZES[size])
    page.get_by_role("link", name=bid).first.click()
    page.wait_for_selector("h1:has-text('Modifié')")
    changes = page.locator("#changes")
    rows = {r.locator("th").inner_text().strip(): r.locator("td").all_inner_texts()
            for r in changes.locator("tbody tr").all()}
    assert rows == {"Heure de début": ["13:30", "15:00"], "Durée prévue": ["1 h", "1 h 30"]}, rows
    no_sideways_scroll(page)
    shots(page, f"{size}-modifie-ce-qui-a-change")
    page.get_by_role("button", name="Confirmer la réservation modifiée").click()
    page.wait_for_selector("h1:has-text('Réservé')")
    assert "Vous avez confirmé la réservation modifiée" in page.inner_text("#done")
    assert page.locator("#changes").count() == 0
    shots(page, f"{size}-modifie-confirme")

    # Withdraw, with the communications already made: a line dated in the future is refused.
    page.get_by_role("link", name="Marquer comme non alloué").click()
    page.wait_for_selector("legend:has-text('Communications déjà faites')")
    page.get_by_label("Raison", exact=True).fill("Empêchement")
    page.locator("#f-comm_at-0").fill(local_input(datetime.now(MONTREAL) + timedelta(days=1)))
    page.locator("#f-comm_purpose-0").fill("Rappel du rendez-vous au patient")
    page.locator("#f-comm_by-0").fill("Infirmière Tremblay")
    page.get_by_role("button", name="Ajouter une ligne").click()
    page.locator("#f-comm_at-1").wait_for()
    assert page.locator("#f-comm_purpose-0").input_value() == "Rappel du rendez-vous au patient"
    page.locator("#f-comm_at-1").fill(local_input(datetime.now(MONTREAL) - timedelta(hours=3)))
    page.locator("#f-comm_purpose-1").fill("Confirmation de l'adresse")
    page.get_by_role("button", name="Oui, confirmer").click()
    page.wait_for_selector(".comm-line .error")
    line = page.locator(".comm-line[data-line='1']")
    assert line.locator(".error").count() == 1 and line.locator(".field.invalid #f-comm_at-0").count() == 1
    assert page.locator(".comm-line[data-line='2'] .error").count() == 0
    for field, value in (("#f-comm_purpose-0", "Rappel du rendez-vous au patient"),
                         ("#f-comm_by-0", "Infirmière Tremblay"), ("#f-comm_purpose-1", "Confirmation de l'adresse")):
        assert page.locator(field).input_value() == value            # nothing typed is lost
    assert page.get_by_label("Raison", exact=True).input_value() == "Empêchement"
    summary = page.inner_text("#error-summary")
    assert "Certains champs sont à corriger" in summary and "communications" not in summary, summary
    no_sideways_scroll(page)
    shots(page, f"{size}-retrait-ligne-refusee")
    page.locator("#f-comm_at-0").fill(local_input(datetime.now(MONTREAL) - timedelta(days=1)))
    page.get_by_role("button", name="Oui, confirmer").click()
    page.wait_for_selector("h1:has-text('Vous n\\'êtes plus assigné')")
    steps = page.inner_text("#next-steps")
    assert "En attente" in steps and "2 communication(s) déclarée(s)" in steps
    assert page.url.endswith("communications=2") and "Introuvable" not in page.inner_text("main")
    no_sideways_scroll(page)
    shots(page, f"{size}-retrait-ce-qui-se-passe")
    page.get_by_role("link", name="Retour à mes réservations").click()
    page.wait_for_selector("h1:has-text('Réservations')")
    assert bid not in page.inner_text("main")
    page.context.close()

    # The bank sees the booking pending again, with the communications to pay.
    booking = api.ok(api.get(f"/bookings/{bid}"))
    assert booking["status"] == "pending"
    assert [c["purpose"] for c in booking["withdrawals"][0]["communications"]] == [
        "Rappel du rendez-vous au patient", "Confirmation de l'adresse"]
    assert booking["withdrawals"][0]["communications"][0]["requested_by"] == "Infirmière Tremblay"
