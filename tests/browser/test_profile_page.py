"""Issue 14, item 4: the interpreter's "Mon profil" has every section of the deck's profile screens
(part 3): the user's profile (identifier, last change by whom, names, roles in words), contact and
personal data, request types, the language pairs with their country of origin, contexts, notifications,
availability, work eligibility ("Compte inactif si non valide"), the financial record, files and
inactivity periods. What only the bank may change is shown, never editable; what the interpreter may
change is saved and shown again; turning both notification channels off says why that is risky.
In French, at 1366x768 and 390x844, each page scanned (conftest.py)."""
from __future__ import annotations

import re

import pytest

from tests.api_client import ApiClient
from tests.browser.test_journeys import account_maker, menu
from tests.browser.test_people_list import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.e2e
HC_NAME = "CIUSSS de l'Est-de-l'Île-de-Montréal"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BANK_DATA = {
    "region": "08-Abitibi-Témiscamingue",
    "language_pairs": [{"source": "Français", "target": "Hongrois", "country": "Hongrie"},
                       {"source": "Anglais", "target": "Swahili"}],
    "contexts": ["DPJ", "Santé mentale"],
    "request_types": ["in_person", "phone"],
    "financial": {"legal_name": "Nomme Pepe", "supplier_number": "UBIPN001",
                  "gst_registered": True, "gst_number": "123456789RT0001", "gst_from": "2024-01-01",
                  "qst_registered": True, "qst_number": "1234567890TQ0001", "qst_from": "2024-01-01",
                  "qst_to": "2026-12-31"},
    "eligibility_documents": [{"name": "Permis de travail", "expires_on": "2030-03-30",
                               "inactive_if_invalid": True, "comments": "Vérifié par la BI"}],
    "establishment_blocks": [{"establishment": "HC", "reason": "À la demande de l'établissement"}],
    "inactivity_periods": [{"start": "2030-10-28T15:07:00Z", "end": "2030-10-31T20:07:00Z",
                            "reason": "Vacances"}],
}


@pytest.fixture(scope="module")
def bank(system):
    email, password = system.coordinator_credentials()
    return ApiClient.login(system.url, email, password)


def _interpreter(bank, last: str) -> dict:
    """An interpreter whose bank-owned data the coordinator has filled in, as at hiring."""
    person = account_maker(bank)("interpreter", "Pepe", last)
    bank.ok(bank.request("PATCH", f"/profiles/{person['user_id']}", json=BANK_DATA))
    return person


def _section(page, name: str):
    return page.locator(f"#profile-{name}")


def _not_editable(section) -> None:
    assert section.locator("input:not([type=hidden]), select, textarea").count() == 0, section.inner_html()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["bureau", "telephone"])
def test_every_section_of_the_profile(system, browser, bank, step, viewport):
    last = "Bureau" if viewport is DESKTOP else "Mobile"
    person = _interpreter(bank, last)
    uid = person["user_id"]
    page = sign_in(browser, system, uid, viewport)
    menu(page, "link", "Profil").click()
    page.wait_for_selector("h1:has-text(\"Profil de l'utilisateur\")")
    step(page, "profil")

    # The user's profile: identifier, who changed it last, names and roles in words; the bank's.
    user = _section(page, "user")
    text = user.inner_text()
    for shown in ("Identifiant", uid, "Prénom", "Pepe", "Nom de famille", last, "Rôle principal", "Interprète",
                  "Rôle secondaire", "Aucun", "Rôle par défaut"):
        assert shown in text, (shown, text)
    assert re.search(r"Dernière modification\s*:?\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2} par \S", text), text
    _not_editable(user)

    # Language pairs with their country of origin, and contexts: shown, the bank's to change.
    languages = _section(page, "languages")
    rows = [r.strip() for r in languages.locator("tbody tr").all_inner_texts()]
    assert [h.strip() for h in languages.locator("thead th").all_inner_texts()] == [
        "Langue source", "Langue d'arrivée", "Pays d'origine"]
    assert re.fullmatch(r"Français\s+Hongrois\s+Hongrie", rows[0]) and re.fullmatch(r"Anglais\s+Swahili\s+—", rows[1]), rows
    assert "communiquez avec les coordonnateurs" in languages.inner_text()
    _not_editable(languages)
    contexts = _section(page, "contexts")
    assert "DPJ" in contexts.inner_text() and "Santé mentale" in contexts.inner_text()
    _not_editable(contexts)

    # The financial record: read-only, numbers and dates as the bank entered them.
    financial = _section(page, "financial")
    text = financial.inner_text()
    for shown in ("Nom complet (si différent du nom usuel)", "Nomme Pepe", "Numéro de fournisseur", "UBIPN001",
                  "Inscription à la TPS", "Numéro de TPS", "123456789RT0001", "Date de début de l'inscription à la TPS",
                  "2024-01-01", "Numéro de TVQ", "1234567890TQ0001", "Date de fin d'inscription à la TVQ",
                  "2026-12-31", "Oui"):
        assert shown in text, (shown, text)
    _not_editable(financial)

    # Work eligibility: the bank's document (inactive if not valid) cannot be removed; the block names
    # the establishment.
    eligibility = _section(page, "eligibility")
    headers = [h.strip() for h in eligibility.locator("thead th").all_inner_texts()]
    assert headers == ["#", "Nom", "Description", "Date de fin de validité", "Compte inactif si non valide",
                       "Commentaires"], headers
    permit = eligibility.locator("tbody tr", has_text="Permis de travail")
    assert re.search(r"2030-03-30\s+Oui\s+Vérifié par la BI", permit.inner_text()), permit.inner_text()
    assert permit.get_by_role("button").count() == 0
    block = eligibility.locator("tbody tr", has_text="Bloqué pour l'établissement")
    assert HC_NAME in block.inner_text() and "HC" not in block.inner_text().replace(HC_NAME, "")

    # Inactivity periods in Montreal time.
    inactivity = _section(page, "inactivity")
    assert re.search(r"2030-10-28 11:07\s+2030-10-31 16:07\s+Vacances",
                     inactivity.locator("tbody tr").first.inner_text())

    # Request types: what the interpreter may change, saved and shown again.
    modes = _section(page, "modes")
    assert modes.get_by_label("En présentiel", exact=True).is_checked()
    assert not modes.get_by_label("Par vidéoconférence", exact=True).is_checked()
    modes.get_by_label("Par vidéoconférence", exact=True).check()
    modes.get_by_role("button", name="Sauvegarder").click()
    page.wait_for_selector("text=Modifications enregistrées.")
    assert _section(page, "modes").get_by_label("Par vidéoconférence", exact=True).is_checked()
    saved = bank.ok(bank.get(f"/profiles/{uid}"))
    assert saved["request_types"] == ["in_person", "phone", "video"]

    # Address: the interpreter's own, the postal code written as Canada Post does.
    personal = _section(page, "personal")
    assert "aviser les coordonnateurs" in personal.inner_text()
    personal.get_by_label("Adresse", exact=True).fill("1001 3e Avenue E")
    personal.get_by_label("Code postal", exact=True).fill("j9p0j7")
    personal.get_by_label("Pays", exact=True).fill("Canada")
    personal.get_by_label("Genre", exact=True).select_option(label="Femme")
    personal.get_by_role("button", name="Sauvegarder").click()
    page.wait_for_selector("text=Modifications enregistrées.")
    personal = _section(page, "personal")
    assert personal.get_by_label("Code postal", exact=True).input_value() == "J9P 0J7"
    assert personal.get_by_label("Adresse", exact=True).input_value() == "1001 3e Avenue E"
    saved = bank.ok(bank.get(f"/profiles/{uid}"))
    assert (saved["address"], saved["postal_code"], saved["country"], saved["gender"]) == (
        "1001 3e Avenue E", "J9P 0J7", "Canada", "female")
    assert f"par Pepe {last}" in _section(page, "user").inner_text()
    step(page, "profil-adresse-enregistree")

    # A file of her own (a void cheque), listed with its name, file and description.
    files = _section(page, "files")
    files.get_by_label("Nom", exact=True).fill("Spécimen de chèque")
    files.get_by_label("Description", exact=True).fill("Pour le dépôt direct")
    files.get_by_label("Fichier (PDF, JPEG ou PNG, 10 Mo au plus)", exact=True).set_input_files(
        {"name": "cheque.pdf", "mimeType": "application/pdf", "buffer": PDF})
    files.get_by_role("button", name="Ajouter la pièce jointe").click()
    page.wait_for_selector("#profile-files a:has-text('cheque.pdf')")
    row = _section(page, "files").locator("tbody tr", has_text="cheque.pdf")
    assert re.search(r"Spécimen de chèque\s+cheque\.pdf\s+Pour le dépôt direct", row.inner_text()), row.inner_text()

    # Both channels off: saved, and the page says what that means, in French.
    notifications = _section(page, "notifications")
    notifications.get_by_label("Désactiver les notifications par message texte", exact=True).check()
    notifications.get_by_label("Désactiver les notifications par courriel", exact=True).check()
    notifications.get_by_role("button", name="Sauvegarder").click()
    page.wait_for_selector("text=Modifications enregistrées.")
    warning = page.get_by_role("alert").filter(has_text="Attention")
    assert "les notifications par texto et par courriel sont désactivées" in warning.inner_text()
    assert bank.ok(bank.get(f"/profiles/{uid}"))["notifications"] == {"sms_disabled": True, "email_disabled": True}
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    step(page, "profil-avis-desactives")
