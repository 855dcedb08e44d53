"""Issue 15, item 3: from the interpreter's file page a coordinator edits what the bank owns (language
pairs with the country of origin, the financial record, blocks per establishment, documents with their
validity) and sees each on the page; a refused value is said in French beside its field; the account
is deactivated after a confirmation (the interpreter can no longer sign in and is no longer offered
anything), then reactivated. Desktop size, in French, on the running system."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import requests

from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient
from tests.browser.test_journeys import MONTREAL, PASSWORD, account_maker
from tests.browser.test_validation_queue import staff_page

pytestmark = pytest.mark.e2e
HC_NAME = "CIUSSS de l'Est-de-l'Île-de-Montréal"


@pytest.fixture(scope="module")
def nadia(system):
    """An interpreter of Arabic for phone calls, and a pending call in Arabic for tomorrow at HC."""
    email, password = system.coordinator_credentials()
    api = ApiClient.login(system.url, email, password)
    person = account_maker(api)("interpreter", "Nadia", "Dossier")
    api.ok(api.request("PATCH", f"/profiles/{person['user_id']}", json={
        "language_pairs": [{"source": "Français", "target": "Arabe"}], "request_types": ["phone"],
        "availability": {"always": True, "slots": []}}))
    tomorrow = (datetime.now(MONTREAL) + timedelta(days=1)).date().isoformat()
    booking = api.ok(api.post("/bookings", {
        "source_language": "Français", "target_language": "Arabe", "mode": "phone", "context": "Santé physique",
        "establishment": "HC", "duration_minutes": 60, "date": tomorrow, "start_time": "11:00"}), 201)["id"]
    return {"api": api, "user_id": person["user_id"], "email": person["email"], "booking": booking}


def _excluded_for(nadia) -> list[str]:
    """The codes matching gives for leaving Nadia out of the booking's candidates ([] when she is one)."""
    api = nadia["api"]
    found = api.ok(api.get(f"/bookings/{nadia['booking']}/candidates"))
    for row in found.get("excluded") or []:
        if row["interpreter_id"] == nadia["user_id"]:
            return [r["code"] for r in row["reasons"]]
    assert nadia["user_id"] in [c["interpreter_id"] for c in found["candidates"]]
    return []


def _signs_in(system, nadia) -> bool:
    resp = requests.post(system.url + "/api/v1/auth/login",
                         json={"identifier": nadia["email"], "password": PASSWORD}, timeout=15)
    return resp.status_code == 200


def _open_file(browser, system):
    page = staff_page(browser, system)
    page.get_by_role("link", name="Interprètes", exact=True).click()
    page.get_by_role("link", name="Nadia Dossier").click()
    page.wait_for_selector("h1:has-text('Dossier de Nadia Dossier')")
    return page


def test_the_coordinator_edits_what_the_bank_owns(system, nadia, browser, shots):
    page = _open_file(browser, system)
    wait_until(lambda: _excluded_for(nadia) == [], timeout=30)

    # A language pair, from the bank's list, with the country of origin.
    page.get_by_label("Langue d'arrivée", exact=True).select_option(label="Tigrigna")
    page.get_by_label("Pays d'origine", exact=True).fill("Érythrée")
    page.get_by_role("button", name="Ajouter la paire").click()
    assert "Paire de langues ajoutée." in page.inner_text("#done")
    assert "Français → Tigrigna · pays d'origine : Érythrée" in page.inner_text("#file-languages")
    assert "Français → Tigrigna (Érythrée)" in page.inner_text("#file-profile")

    # The financial record: a malformed GST number is refused beside its field, in French.
    page.get_by_label("Nom légal", exact=True).fill("Nadia Dossier inc.")
    page.get_by_label("Numéro de fournisseur", exact=True).fill("F-20931")
    page.locator("#f-fin_gst_registered").check()
    page.get_by_label("Numéro de TPS", exact=True).fill("12345")
    page.get_by_label("TPS depuis le", exact=True).fill("2025-01-01")
    page.get_by_role("button", name="Enregistrer le dossier financier").click()
    assert page.locator("#file-financial .field.invalid #f-fin_gst_number").count() == 1
    assert page.locator("#f-fin_legal_name").input_value() == "Nadia Dossier inc."    # what was typed stays
    shots(page, "dossier-finances-refuse")
    page.get_by_label("Numéro de TPS", exact=True).fill("123456789 RT 0001")
    page.get_by_role("button", name="Enregistrer le dossier financier").click()
    assert "Dossier financier enregistré." in page.inner_text("#done")
    assert page.locator("#f-fin_gst_number").input_value() == "123456789RT0001"
    assert page.locator("#f-fin_supplier_number").input_value() == "F-20931"
    assert page.locator("#f-fin_gst_registered").is_checked()
    financial = nadia["api"].ok(nadia["api"].get(f"/profiles/{nadia['user_id']}"))["financial"]
    assert financial["gst_from"] == "2025-01-01" and financial["legal_name"] == "Nadia Dossier inc."

    # A block for one establishment, picked and shown by its name: matching leaves her out there.
    page.get_by_label("Établissement à bloquer", exact=True).select_option(label=HC_NAME)
    page.get_by_label("Raison du blocage", exact=True).fill("Demande de l'établissement")
    page.get_by_role("button", name="Bloquer").click()
    blocks = page.inner_text("#file-blocks")
    assert HC_NAME in blocks and "Demande de l'établissement" in blocks
    wait_until(lambda: _excluded_for(nadia) == ["matching.blocked_for_establishment"], timeout=30)
    page.get_by_role("button", name=f"Lever le blocage pour {HC_NAME}").click()
    assert "Blocage levé." in page.inner_text("#done") and "Aucun blocage." in page.inner_text("#file-blocks")

    # A document with its validity; once it has expired (and locks the account) no offer is made.
    page.get_by_label("Nom du document", exact=True).fill("Attestation de formation")
    page.get_by_label("Valide jusqu'au", exact=True).fill("2031-06-30")
    page.locator("#file-documents form[enctype] input[name=doc_locks]").check()
    page.get_by_role("button", name="Ajouter le document").click()
    docs = page.inner_text("#file-documents")
    assert "Attestation de formation" in docs and "valide jusqu'au 2031-06-30" in docs
    yesterday = (datetime.now(MONTREAL) - timedelta(days=1)).date().isoformat()
    page.get_by_label("Valide jusqu'au (Attestation de formation)", exact=True).fill(yesterday)
    page.get_by_role("button", name="Enregistrer la validité").click()
    assert "Validité du document enregistrée." in page.inner_text("#done")
    assert f"« Attestation de formation » est expiré depuis le {yesterday}" in page.inner_text("#file-profile")
    wait_until(lambda: "matching.document_invalid" in _excluded_for(nadia)
               or "matching.not_available_for_offers" in _excluded_for(nadia), timeout=30)
    shots(page, "dossier-document-expire")
    page.get_by_role("button", name="Retirer le document Attestation de formation").click()
    assert "Document retiré." in page.inner_text("#done") and "Aucun document." in page.inner_text("#file-documents")
    wait_until(lambda: _excluded_for(nadia) == [], timeout=30)


def test_the_coordinator_deactivates_then_reactivates_the_account(system, nadia, browser, shots):
    page = _open_file(browser, system)
    assert _signs_in(system, nadia)

    page.get_by_role("link", name="Désactiver le compte…").click()
    assert "ne peut plus se connecter" in page.inner_text("#explain")
    shots(page, "dossier-desactiver-confirmation")
    page.get_by_role("link", name="Non, revenir au dossier").click()     # nothing changed
    assert "Le compte est actif." in page.inner_text("#file-account") and _signs_in(system, nadia)

    page.get_by_role("link", name="Désactiver le compte…").click()
    page.get_by_role("button", name="Oui, désactiver le compte").click()
    assert "Compte désactivé" in page.inner_text("#done")
    assert "Le compte est désactivé" in page.inner_text("#file-account")
    assert not _signs_in(system, nadia)
    wait_until(lambda: "matching.account_inactive" in _excluded_for(nadia), timeout=30)
    api = nadia["api"]
    refused = api.post(f"/bookings/{nadia['booking']}/offer", {"interpreter_ids": [nadia["user_id"]]})
    assert refused.status_code == 409, refused.text
    shots(page, "dossier-compte-desactive")

    page.get_by_role("link", name="Réactiver le compte…").click()
    page.get_by_role("button", name="Oui, réactiver le compte").click()
    assert "Compte réactivé" in page.inner_text("#done") and "Le compte est actif." in page.inner_text("#file-account")
    assert _signs_in(system, nadia)
    wait_until(lambda: _excluded_for(nadia) == [], timeout=30)
