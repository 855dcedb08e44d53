"""A coordinator keeps the bank's reference data in the browser, at desktop size, in French: finds a
hospital without its accents, adds a facility (a wrong postal code refused beside its field, nothing
typed lost), changes it and reads its history, deactivates it (gone from the list, there with the
deactivated ones), and imports a CSV file whose bad row is explained while the good one is saved."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e
DESKTOP = {"width": 1366, "height": 768}
CODES = re.compile(r"\b(label_fr|label_en|postal_code|request\.invalid|reference\.[a-z_.]+|field\.[a-z_]+)\b")


def coordinator_page(browser, system):
    email, password = system.coordinator_credentials()
    page = browser.new_context(locale="fr-CA", viewport=DESKTOP).new_page()
    page.goto(system.url + "/connexion")
    page.get_by_label("Courriel ou identifiant", exact=True).fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_selector("h1:text-matches('Réservations|Double authentification')")
    if page.locator("h1:has-text('Double authentification')").count():
        page.get_by_role("button", name="Plus tard").click()
    page.wait_for_selector("h1:has-text('Réservations')")
    return page


def no_codes(page) -> None:
    text = page.inner_text("main")
    assert not CODES.search(text), CODES.search(text).group(0)


def test_a_coordinator_keeps_the_facilities_in_french(browser, system, shots):
    page = coordinator_page(browser, system)
    page.get_by_role("link", name="Données de référence").click()
    page.wait_for_selector("h1:has-text('Données de référence')")
    assert page.get_by_role("link", name="Régions sociosanitaires").is_visible()
    shots(page, "reference-index")

    page.get_by_role("link", name="Installations", exact=True).click()
    page.wait_for_selector("h1:has-text('Installations')")
    page.get_by_label("Chercher (code, nom, adresse)").fill("hopital maisonneuve rosemont")
    page.get_by_role("button", name="Chercher").click()
    page.wait_for_selector("td:has-text('Hôpital Maisonneuve-Rosemont')")
    assert page.get_by_role("status").inner_text() == "1 élément(s)"
    no_codes(page)
    shots(page, "reference-search")

    page.get_by_role("link", name="Ajouter").click()
    page.wait_for_selector("h1:has-text('Ajouter')")
    page.get_by_label("Code", exact=True).fill("HC-CLSC-HM")
    page.get_by_label("Établissement", exact=True).select_option("HC")
    page.get_by_label("Nom en français", exact=True).fill("CLSC Hochelaga-Maisonneuve")
    page.get_by_label("Adresse civique", exact=True).fill("4201, rue Ontario Est")
    page.get_by_label("Municipalité", exact=True).fill("Montréal")
    page.get_by_label("Code postal", exact=True).fill("12345")
    page.get_by_label("Latitude", exact=True).fill("45,545")
    page.get_by_label("Longitude", exact=True).fill("-73,547")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector(".field.invalid")
    postal = page.locator(".field.invalid")
    assert "Code postal canadien invalide (ex. J9P 0J7)." in postal.inner_text()
    assert "Code postal" in postal.inner_text()
    assert page.get_by_label("Nom en français", exact=True).input_value() == "CLSC Hochelaga-Maisonneuve"   # nothing lost
    assert page.get_by_label("Latitude", exact=True).input_value() == "45,545"
    no_codes(page)
    shots(page, "reference-refused")

    page.get_by_label("Code postal", exact=True).fill("H1V 1K2")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector("text=L'élément est créé.")
    assert page.locator("h1").inner_text() == "Installation HC-CLSC-HM"
    assert page.get_by_label("Latitude", exact=True).input_value() == "45,545"
    shots(page, "reference-created")

    page.get_by_label("Nom en français", exact=True).fill("CLSC de Hochelaga-Maisonneuve")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector("text=Les changements sont enregistrés.")
    history = page.locator("#h-history + div table")
    assert "Nom en français : CLSC Hochelaga-Maisonneuve → CLSC de Hochelaga-Maisonneuve" in history.inner_text()
    assert "Coordination Banque" in history.inner_text() and "Création" in history.inner_text()
    # The English name was the French one: it follows the change.
    assert page.get_by_label("Nom en anglais", exact=True).input_value() == "CLSC de Hochelaga-Maisonneuve"
    no_codes(page)
    shots(page, "reference-history")

    page.get_by_label("Raison (facultatif)").fill("Fermé pour travaux")
    page.get_by_role("button", name="Désactiver").click()
    page.wait_for_selector("text=L'élément est désactivé")
    assert "Désactivé (Fermé pour travaux)" in page.locator("dl.detail").inner_text()
    page.get_by_role("link", name="Installations").click()
    page.get_by_label("Chercher (code, nom, adresse)").fill("clsc hochelaga")
    page.get_by_role("button", name="Chercher").click()
    page.wait_for_selector("text=0 élément(s)")
    page.get_by_label("Inclure les éléments désactivés").check()
    page.get_by_role("button", name="Chercher").click()
    page.wait_for_selector("td:has-text('CLSC de Hochelaga-Maisonneuve')")
    shots(page, "reference-deactivated")

    csv = ("\ufeffcode;établissement;nom en français;code postal;latitude;longitude\r\n"
           "HC-CLSC-RP;HC;CLSC de Rosemont;H1X 2G5;45,5480;-73,5860\r\n"
           "ZZ-1;ZZ;Installation inconnue;H1X 2G5;;\r\n").encode("utf-8")
    page.get_by_label("Fichier CSV", exact=True).set_input_files({"name": "installations.csv", "mimeType": "text/csv",
                                                       "buffer": csv})
    page.get_by_role("button", name="Importer").click()
    page.wait_for_selector("h1:has-text('Importer un fichier CSV')")
    status = page.get_by_role("status").inner_text()
    assert status == "Import terminé : 1 ajouté(s), 0 modifié(s), 0 inchangé(s), 1 refusé(s)."
    refused = page.locator("table").inner_text()
    assert "Établissement : Établissement inconnu : créez-le d'abord ou vérifiez son code." in refused
    no_codes(page)
    shots(page, "reference-import")
    page.get_by_role("link", name="HC-CLSC-RP").click()
    page.wait_for_selector("h1:has-text('Installation HC-CLSC-RP')")
    assert page.get_by_label("Nom en français", exact=True).input_value() == "CLSC de Rosemont"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.context.close()
