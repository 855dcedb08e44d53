"""Issue 15, item 4, at desktop size in French: the coordinator's validation queue shows each reported
service, and a cancelled booking carrying a report, with payroll's amounts and flags in words; a report
sent back without a comment is refused beside its field; sent back with one, the interpreter sees the
comment on the booking and corrects the report, which comes back to the queue; the coordinator then
validates both and the queue is empty."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient
from tests.browser.test_journeys import MONTREAL, PASSWORD, account_maker, submit_login
from tests.browser.test_people_list import DESKTOP, sign_in

pytestmark = pytest.mark.e2e
BOOKING = {"source_language": "Français", "target_language": "Tigrigna", "mode": "phone",
           "context": "Santé physique", "establishment": "HC", "duration_minutes": 60}


def utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def reported(system):
    """Two bookings of Ines Valide awaiting validation: a service she reported (an additional service
    to review), and a booking cancelled after she took it, with her report of a call made before."""
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)
    ines = account_maker(coord)("interpreter", "Ines", "Valide")
    api = ApiClient.login(system.url, ines["user_id"], PASSWORD)
    now = datetime.now(MONTREAL).replace(second=0, microsecond=0)
    start = max(now.replace(hour=0, minute=0), now - timedelta(minutes=10))
    served = coord.ok(coord.post("/bookings", {**BOOKING, "date": start.date().isoformat(),
                                               "start_time": start.strftime("%H:%M")}), 201)["id"]
    later = (now + timedelta(days=1)).date().isoformat()
    cancelled = coord.ok(coord.post("/bookings", {**BOOKING, "date": later, "start_time": "10:00"}), 201)["id"]
    for bid in (served, cancelled):
        coord.ok(coord.post(f"/bookings/{bid}/assign", {"interpreter_id": ines["user_id"]}))
    api.ok(api.post(f"/bookings/{served}/report", {
        "provided": True, "actual_start": utc(start), "actual_end": utc(now), "additional_service": True,
        "comments": "Rencontre écourtée"}))
    coord.ok(coord.post(f"/bookings/{cancelled}/cancel", {"reason": "Rendez-vous annulé"}))
    api.ok(api.post(f"/bookings/{cancelled}/report", {
        "provided": False, "reason": "Annulation", "detailed_reason": "Annulé par la clinique",
        "cancelled_at": utc(now), "communications": [
            {"at": utc(now - timedelta(minutes=30)), "purpose": "Confirmation du rendez-vous"}]}))
    return {"coordinator": email, "ines": ines, "served": served, "cancelled": cancelled}


def staff_page(browser, system, viewport=DESKTOP):
    """The first coordinator signed in (their own password), at desktop size."""
    email, password = system.coordinator_credentials()
    page = browser.new_context(locale="fr-CA", viewport=viewport).new_page()
    page.goto(system.url + "/connexion")
    submit_login(page, email, password)
    if page.locator("h1:has-text('Double authentification')").count():
        page.get_by_role("button", name="Plus tard").click()
    page.wait_for_selector("h1:has-text('Réservations')")
    return page


def open_queue(page, url: str, *ids: str) -> None:
    """The queue, once payroll has priced each booking (it reads booking's events asynchronously)."""
    def priced():
        page.goto(url + "/validation")
        return all(page.locator(f"#v-{bid}").count() and page.locator(f"#v-{bid} table.pay").count()
                   for bid in ids)
    wait_until(priced, timeout=30)


def test_validate_or_send_back_with_payrolls_flags_and_amounts(system, reported, browser, shots):
    served, cancelled = reported["served"], reported["cancelled"]
    coord = staff_page(browser, system)
    coord.get_by_role("link", name="Validation").click()
    open_queue(coord, system.url, served, cancelled)
    card = coord.locator(f"#v-{served}")
    text = card.inner_text()
    assert "Ines Valide" in text and reported["ines"]["user_id"] not in text     # names, not ids
    assert "Service supplémentaire déclaré" in text and "additional_service" not in text
    # The minimum the policy pays for a short call (payroll's amount, exact, in French format).
    assert "Provisoire" in text and "82,00\xa0$" in card.locator("table.pay tr.total").inner_text()
    cancelled_card = coord.locator(f"#v-{cancelled}")
    assert "Annulé" in cancelled_card.inner_text() and "Service non rendu" in cancelled_card.inner_text()
    assert "Rappels téléphoniques" in cancelled_card.locator("table.pay").inner_text()
    shots(coord, "validation-file")

    # Sent back without a comment: refused beside the field, in French; then with one.
    card.get_by_role("button", name="Renvoyer à l'interprète").click()
    card = coord.locator(f"#v-{served}")
    card.locator(".field.invalid").get_by_text("Dites à l'interprète ce qu'il doit revoir.").wait_for()
    assert "un commentaire est obligatoire" in card.inner_text()
    shots(coord, "validation-renvoi-sans-commentaire")
    card.get_by_label("Ce que l'interprète doit revoir").fill("Précisez le service supplémentaire rendu.")
    card.get_by_role("button", name="Renvoyer à l'interprète").click()
    coord.wait_for_selector("#done")
    assert "renvoyé à l'interprète" in coord.inner_text("#done")
    assert coord.locator(f"#v-{served}").count() == 0 and coord.locator(f"#v-{cancelled}").count() == 1
    shots(coord, "validation-rapport-renvoye")

    # Ines sees the comment on the booking and corrects her report.
    ines = sign_in(browser, system, reported["ines"]["user_id"], DESKTOP)
    ines.goto(f"{system.url}/reservations/{served}")
    assert "Précisez le service supplémentaire rendu." in ines.inner_text("#returned")
    shots(ines, "interprete-rapport-renvoye")
    ines.get_by_role("link", name="Corriger le rapport").click()
    assert ines.get_by_label("Service supplémentaire demandé sur place").is_checked()   # nothing lost
    ines.get_by_label("Commentaires", exact=True).fill("Rencontre écourtée ; traduction d'un formulaire ajoutée")
    ines.get_by_role("button", name="Enregistrer le rapport").click()
    ines.wait_for_selector("h1:has-text('Service fourni')")
    assert ines.locator("#returned").count() == 0

    # Back in the queue; the coordinator validates both, the cancelled one included.
    open_queue(coord, system.url, served)
    assert "traduction d'un formulaire ajoutée" in coord.inner_text(f"#v-{served}")
    coord.locator(f"#v-{served}").get_by_label("Commentaire de validation (facultatif)").fill("Vérifié avec la clinique")
    coord.get_by_role("button", name=f"Valider {served}").click()
    coord.wait_for_selector("#done")
    assert "validée" in coord.inner_text("#done") and coord.locator(f"#v-{served}").count() == 0
    coord.get_by_role("button", name=f"Valider {cancelled}").click()
    coord.wait_for_selector("#done")
    assert coord.locator("article.validation").count() == 0
    assert "Aucun rapport à valider." in coord.inner_text("main")
    shots(coord, "validation-file-vide")
    coord.goto(f"{system.url}/reservations/{served}")
    assert "Achevé" in coord.inner_text("h1")
