"""Issue 14, item 7: each daily journey of an interpreter and of a requester, in French, in Chromium at
a desktop's 1366x768 and a phone's 390x844 (the header folded into its "Menu"), from the sign-in to
the sign-out, each step ending on the page a person expects, scanned (page_text) and screenshotted
(test-artifacts/screens/<test>/). The bank's side (offers, assignments, changes) is done over the API,
as the coordinators' own journeys are driven elsewhere (test_coordinator_day)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient
from tests.browser.test_journeys import MONTREAL, RECEIPT, account_maker, menu
from tests.browser.test_people_detail import local_input, no_sideways_scroll
from tests.browser.test_people_list import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.e2e
SIZES = {"bureau": DESKTOP, "telephone": PHONE}
BOOKING = {"source_language": "Français", "target_language": "Hongrois", "mode": "phone",
           "context": "Santé physique", "establishment": "HC", "duration_minutes": 60}


@pytest.fixture(scope="module")
def bank(system):
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)
    return {"api": coord, "make": account_maker(coord)}


def create(api: ApiClient, start: datetime) -> str:
    local = start.astimezone(MONTREAL)
    return api.ok(api.post("/bookings", {**BOOKING, "date": local.date().isoformat(),
                                         "start_time": local.strftime("%H:%M")}), 201)["id"]


def open_booking(page, bid: str, heading: str, step=None) -> None:
    """From the bookings list (the header's "Réservations"), as a person finds it; `step`: the list
    with the booking on it is a step of its own."""
    menu(page, "link", "Réservations").click()
    page.wait_for_selector("h1:has-text('Réservations')")
    link = page.get_by_role("link", name=bid).first
    link.wait_for()
    if step:
        step(page, "dans-la-liste")
    link.click()
    page.wait_for_selector(f"h1:has-text(\"{heading}\")")


def sign_out(page, step) -> None:
    menu(page, "button", "Déconnexion").click()
    page.wait_for_selector("h1:has-text('Connexion')")
    step(page, "deconnecte")


@pytest.mark.parametrize("size", sorted(SIZES))
def test_an_interpreters_day(system, bank, browser, step, size):
    api = bank["api"]
    ines = bank["make"]("interpreter", "Ines", f"Journee{size.capitalize()}")
    uid = ines["user_id"]
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    offered = create(api, now + timedelta(days=2))
    api.ok(api.post(f"/bookings/{offered}/offer", {"interpreter_ids": [uid]}))
    modified = create(api, now + timedelta(days=3))
    api.ok(api.post(f"/bookings/{modified}/assign", {"interpreter_id": uid}))
    api.ok(api.post(f"/bookings/{modified}/modify", {"duration_minutes": 90}))
    withdrawn = create(api, now + timedelta(days=5))
    api.ok(api.post(f"/bookings/{withdrawn}/assign", {"interpreter_id": uid}))
    started = now - timedelta(hours=2)
    served = create(api, started)
    api.ok(api.post(f"/bookings/{served}/assign", {"interpreter_id": uid}))

    page = sign_in(browser, system, uid, SIZES[size])
    step(page, "connectee")
    # The deck's three views: the list, the remuneration view, the calendar.
    menu(page, "link", "Réservations").click()
    page.wait_for_selector("h1:has-text('Demandes en cours')")
    for bid in (offered, modified, withdrawn):
        page.get_by_role("link", name=bid).first.wait_for()
    no_sideways_scroll(page)
    step(page, "liste")
    menu(page, "link", "Calendrier").click()
    page.wait_for_selector("h1:has-text('Calendrier')")
    page.locator("summary", has_text="Hongrois").first.wait_for()
    no_sideways_scroll(page)
    step(page, "calendrier")

    # An offer accepted.
    open_booking(page, offered, "En attente")
    step(page, "offre")
    page.get_by_role("button", name="Accepter").click()
    page.wait_for_selector("h1:has-text('Réservé')")
    step(page, "offre-acceptee")

    # A modified booking re-confirmed, having seen what changed.
    open_booking(page, modified, "Modifié")
    assert page.locator("#changes tbody tr", has_text="Durée prévue").count() == 1
    step(page, "modifiee-ce-qui-a-change")
    page.get_by_role("button", name="Confirmer la réservation modifiée").click()
    page.wait_for_selector("h1:has-text('Réservé')")
    step(page, "modifiee-confirmee")

    # A withdrawal with the communications already made.
    open_booking(page, withdrawn, "Réservé")
    page.get_by_role("link", name="Marquer comme non alloué").click()
    page.wait_for_selector("legend:has-text('Communications déjà faites')")
    page.get_by_label("Raison", exact=True).fill("Empêchement")
    page.locator("#f-comm_at-0").fill(local_input(now - timedelta(hours=1)))
    page.locator("#f-comm_purpose-0").fill("Rappel du rendez-vous au patient")
    page.locator("#f-comm_by-0").fill("Infirmière Tremblay")
    step(page, "retrait-formulaire")
    page.get_by_role("button", name="Oui, confirmer").click()
    page.wait_for_selector("h1:has-text('Vous n\\'êtes plus assigné')")
    assert "1 communication(s) déclarée(s)" in page.inner_text("#next-steps")
    step(page, "retrait-ce-qui-se-passe")

    # The service reported, with a communication and fees, then its receipt attached.
    open_booking(page, served, "Réservé")
    page.get_by_label("Début réel", exact=True).fill(local_input(started))
    page.get_by_label("Fin réelle", exact=True).fill(local_input(started + timedelta(hours=1)))
    page.get_by_label("Distance parcourue (km)", exact=True).fill("42,5")
    page.get_by_label("Autres frais ($)", exact=True).fill("12,50")
    page.locator("#f-comm_at-0").fill(local_input(started - timedelta(hours=1)))
    page.locator("#f-comm_purpose-0").fill("Rappel du rendez-vous")
    page.locator("#f-comm_by-0").fill("Dre Roy")
    page.get_by_label("Commentaires", exact=True).fill("RAS")
    step(page, "rapport-formulaire")
    page.get_by_role("button", name="Enregistrer le rapport").click()
    page.wait_for_selector("h1:has-text('Service fourni')")
    saved = page.inner_text(".report-saved").replace("\xa0", " ")
    assert "42,5 km" in saved and "12,50 $" in saved and "demandée par Dre Roy" in saved, saved
    step(page, "rapport-enregistre")
    page.get_by_label("Reçu ou document (photo ou PDF)", exact=True).set_input_files(
        {"name": "recu-stationnement.png", "mimeType": "image/png", "buffer": RECEIPT})
    page.get_by_label("Description", exact=True).fill("Stationnement")
    page.get_by_role("button", name="Joindre").click()
    page.wait_for_selector("a:has-text('recu-stationnement.png')")
    step(page, "recu-joint")
    menu(page, "link", "Réservations").click()
    page.locator("nav.views").get_by_role("link", name="Rémunération", exact=True).click()
    page.wait_for_selector("h1:has-text('Réservations — Rémunération')")
    page.get_by_role("link", name=served).first.wait_for()
    step(page, "vue-remuneration")

    # Her pay: the served booking on this period's statement, and the statement as a PDF.
    menu(page, "link", "Ma rémunération").click()
    page.wait_for_selector("h1:has-text('Ma rémunération')")

    def priced() -> bool:
        page.reload()
        return page.locator("#statement table.statement-item", has_text=served).count() == 1
    wait_until(priced, timeout=45)
    no_sideways_scroll(page)
    step(page, "ma-remuneration")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le relevé (PDF)").click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    sign_out(page, step)

    assert api.ok(api.get(f"/bookings/{withdrawn}"))["status"] == "pending"


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_requesters_request_from_sending_to_cancelling(system, bank, browser, step, size):
    rita = bank["make"]("requester", "Rita", f"Journee{size.capitalize()}", establishment="HC")
    page = sign_in(browser, system, rita["email"], SIZES[size])
    step(page, "connectee")
    menu(page, "link", "Nouvelle demande").click()
    page.wait_for_selector("h1:has-text('Nouvelle demande de service')")
    day = (datetime.now(MONTREAL) + timedelta(days=4)).date().isoformat()
    # The deck's lists: languages, contexts, and her establishment's facilities and cost centres.
    for label, option in (("Langue d'arrivée", "Tigrigna"), ("Contexte", "Santé mentale"),
                          ("Installation", "HC-HMR"), ("Centre de coût", "7301120")):
        field = page.get_by_label(label, exact=True)
        listed = field.get_attribute("list")
        assert listed and page.locator(f"datalist#{listed} option[value='{option}']").count() == 1, label
        field.fill(option)                   # what picking it puts in the field
    assert page.locator("datalist#pl-facility option[value='BSL-HRR']").count() == 0   # not her establishment's
    page.get_by_label("Type de demande", exact=True).select_option(label="Par téléphone")
    page.get_by_label("Date", exact=True).fill(day)
    page.get_by_label("Heure de début", exact=True).fill("10:00")
    page.get_by_label("Durée prévue (minutes)", exact=True).fill("60")
    page.get_by_label("Téléphone du demandeur", exact=True).fill("514 555-0104")
    no_sideways_scroll(page)
    step(page, "formulaire")
    page.get_by_role("button", name="Envoyer la demande").click()
    page.wait_for_selector("[data-sent]")
    assert "En attente" in page.inner_text("h1")
    assert "Hôpital Maisonneuve-Rosemont" in page.inner_text("main")
    bid = page.url.split("/reservations/")[1].split("?")[0]
    step(page, "demande-envoyee")

    open_booking(page, bid, "En attente", step)
    page.get_by_role("link", name="Modifier").click()
    page.wait_for_selector(f"h1:has-text('Modifier {bid}')")
    page.get_by_label("Durée prévue (minutes)", exact=True).fill("90")
    step(page, "modification")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector("text=90 min")
    step(page, "demande-modifiee")
    page.get_by_role("link", name="Annuler la demande").click()
    page.wait_for_selector("text=La demande sera annulée")
    step(page, "confirmation-annulation")
    page.get_by_role("button", name="Oui, confirmer").click()
    page.wait_for_selector("h1:has-text('Annulé')")
    step(page, "demande-annulee")
    sign_out(page, step)


def test_a_requesters_new_request_starts_from_her_profile(system, bank, browser, step):
    """Her profile's facility and only cost centre fill the new-request form (auth keeps them); the
    request she sends carries them. Modifying it keeps the booking's own values."""
    api = bank["api"]
    rosa = bank["make"]("requester", "Rosa", "Profil", establishment="HC")
    api.ok(api.request("PATCH", f"/profiles/{rosa['user_id']}", json={
        "facility": "HC-IUSMM", "cost_centers": [{"code": "7301120", "description": "Unité des opérations"}]}))
    page = sign_in(browser, system, rosa["email"], DESKTOP)
    menu(page, "link", "Nouvelle demande").click()
    page.wait_for_selector("h1:has-text('Nouvelle demande de service')")
    assert page.get_by_label("Installation", exact=True).input_value() == "HC-IUSMM"
    assert page.get_by_label("Centre de coût", exact=True).input_value() == "7301120"
    assert page.get_by_label("Unité administrative", exact=True).input_value() == "Unité des opérations"
    page.get_by_label("Langue d'arrivée", exact=True).fill("Tigrigna")
    page.get_by_label("Type de demande", exact=True).select_option(label="Par téléphone")
    page.get_by_label("Date", exact=True).fill((datetime.now(MONTREAL) + timedelta(days=6)).date().isoformat())
    page.get_by_label("Heure de début", exact=True).fill("13:00")
    page.get_by_label("Durée prévue (minutes)", exact=True).fill("60")
    step(page, "formulaire-prerempli")
    page.get_by_role("button", name="Envoyer la demande").click()
    page.wait_for_selector("[data-sent]")
    assert "Institut universitaire en santé mentale de Montréal" in page.inner_text("#facility")
    bid = page.url.split("/reservations/")[1].split("?")[0]
    booking = api.ok(api.get(f"/bookings/{bid}"))
    assert (booking["facility"], booking["cost_center"]) == ("HC-IUSMM", "7301120"), booking
    step(page, "demande-envoyee")

    # Her profile changes; the booking she modifies keeps its own facility.
    api.ok(api.request("PATCH", f"/profiles/{rosa['user_id']}", json={"facility": "HC-HSC", "cost_centers": []}))
    page.get_by_role("link", name="Modifier").click()
    page.wait_for_selector(f"h1:has-text('Modifier {bid}')")
    assert page.get_by_label("Installation", exact=True).input_value() == "HC-IUSMM"
    step(page, "modification-garde-ses-valeurs")
