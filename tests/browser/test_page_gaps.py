"""The pages that closed issue 7's last gaps, in French, in Chromium against the system started as
`make run` starts it: the requester sees who was assigned (name, how to reach them) and the coordinator
the time to assign; a coordinator lifts an account's lock (with the keyboard); coordinators see the pay
policy versions and an admin adds one (an error first, shown on the form); an interpreter adds an
eligibility document with its file; the coordinator downloads a period's billing export."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient
from tests.browser.test_journeys import MONTREAL, PASSWORD, account_maker, login, menu

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def people(system):
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)
    make = account_maker(coord)

    alice = make("interpreter", "Alice", "Lacune")
    coord.ok(coord.request("PATCH", f"/profiles/{alice['user_id']}", json={"mobile": "514 555-0142"}))
    return {"coordinator": (email, password), "api": coord, "alice": alice,
            "requester": make("requester", "Rita", "Lacune", establishment="HC"),
            "lena": make("requester", "Lena", "Verrou", establishment="HC"),
            "admin": make_admin(system)}


def make_admin(system) -> dict:
    """Admins are made by the operator (the auth CLI on auth's store), not by coordinators."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_STORE_URL")}
    env.update(IMS_DATA_DIR=str(system.data_dir), IMS_BOOTSTRAP_PASSWORD=PASSWORD, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "services.auth.cli", "create-account", "--email",
                          "ada.admin@example.org", "--first-name", "Ada", "--last-name", "Admin", "--role", "admin"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return {"user_id": out.stdout.strip().splitlines()[0], "email": "ada.admin@example.org"}


BOOKING = {"source_language": "Français", "target_language": "Espagnol", "mode": "video",
           "context": "Santé physique", "establishment": "HC", "facility": "HC-HMR",
           "cost_center": "7301120", "cost_center_description": "DA services multidisciplinaires",
           "duration_minutes": 60, "video_platform": "Teams", "video_link": "https://example.org/meet/x",
           "requester_name": "Rita Lacune"}


def create(api: ApiClient, day: str, start: str, **extra) -> str:
    return api.ok(api.post("/bookings", {**BOOKING, "date": day, "start_time": start, **extra}), 201)["id"]


def test_requester_sees_who_was_assigned_and_coordinator_the_time_to_assign(system, people, browser, shots):
    api = people["api"]
    tomorrow = (datetime.now(MONTREAL) + timedelta(days=1)).date().isoformat()
    bid = create(api, tomorrow, "10:00")
    api.ok(api.post(f"/bookings/{bid}/assign", {"interpreter_id": people["alice"]["user_id"]}))

    req = login(browser, system, people["requester"]["email"], PASSWORD)
    req.goto(f"{system.url}/reservations/{bid}")
    assigned = req.locator("#assigned")
    assigned.get_by_text("Alice Lacune").wait_for()
    assert "Pour le joindre" in assigned.inner_text() and "5145550142" in assigned.inner_text().replace(" ", "")
    assert assigned.locator('a[href^="tel:"]').count() == 1
    assert assigned.locator('a[href="mailto:alice.lacune@example.org"]').count() == 1
    assert people["alice"]["user_id"] not in assigned.inner_text()   # the name, not the id
    shots(req, "demandeur-interprete-assigne")

    email, password = people["coordinator"]
    coord = login(browser, system, email, password)
    coord.goto(f"{system.url}/indicateurs")
    assert coord.inner_text("#tta-median").strip() not in ("", "—")
    assert coord.inner_text("#tta-p90").strip() not in ("", "—")
    assert coord.locator("#time-to-assign svg rect").count() >= 2
    shots(coord, "coordonnateur-delai-assignation")


def test_coordinator_lifts_a_lock_with_the_keyboard(system, people, browser, shots):
    from ims_common.stores import open_document_store
    lena = people["lena"]
    docs = open_document_store(f"sqlite:///{system.data_dir / 'auth.sqlite3'}")
    try:   # ten failed sign-ins in a row lock the account; the slow-down between them would take minutes
        key = "acct:" + lena["user_id"]
        docs.put("login_throttle", key, {"key": key, "consecutive": 10, "recent": [], "next_allowed_at": None,
                                         "locked": True, "locked_at": time.time()})
    finally:
        docs.close()
    context = browser.new_context(locale="fr-CA", viewport={"width": 412, "height": 900})
    page = context.new_page()
    page.goto(system.url + "/connexion")
    page.get_by_label("Courriel ou identifiant", exact=True).fill(lena["email"])
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_selector("[role=alert]")
    assert "Réservations" not in page.inner_text("h1")

    email, password = people["coordinator"]
    coord = login(browser, system, email, password)
    coord.goto(f"{system.url}/interpretes")
    section = coord.locator("#verrous")
    section.get_by_text("Lena Verrou").wait_for()
    shots(coord, "coordonnateur-comptes-verrouilles")
    button = section.get_by_role("button", name=f"Lever le verrou : Lena Verrou ({lena['user_id']})")
    button.focus()
    coord.keyboard.press("Enter")
    coord.wait_for_selector("text=Le verrou du compte")
    assert coord.locator("#verrous").get_by_text("Lena Verrou").count() == 0
    shots(coord, "coordonnateur-verrou-leve")

    page.get_by_label("Courriel ou identifiant", exact=True).fill(lena["email"])
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_selector("h1:text-matches('Réservations|Double authentification')")


def test_pay_policy_versions_and_an_admin_adds_one(system, people, browser, shots):
    email, password = people["coordinator"]
    coord = login(browser, system, email, password)
    coord.goto(f"{system.url}/paie")
    coord.get_by_role("heading", name="Politiques de rémunération").wait_for()
    assert coord.locator("form[action$='/paie/politiques']").count() == 0
    assert "Seuls les administrateurs" in coord.inner_text("main")

    admin = login(browser, system, people["admin"]["email"], PASSWORD)
    admin.goto(f"{system.url}/paie")
    admin.get_by_label("Version", exact=True).fill("BI-2099-01")
    admin.get_by_label("En vigueur le", exact=True).fill("2020-01-01")
    admin.get_by_label("Taux horaire ($)", exact=True).fill("43,50")
    admin.get_by_role("button", name="Ajouter la version").click()
    admin.wait_for_selector(".field.invalid >> text=La date d'entrée en vigueur doit être le")
    shots(admin, "admin-politique-erreur")
    effective = (datetime.now(MONTREAL) + timedelta(days=400)).date().isoformat()
    admin.get_by_label("En vigueur le", exact=True).fill(effective)
    admin.get_by_role("button", name="Ajouter la version").click()
    admin.wait_for_selector("text=La version BI-2099-01 est ajoutée.")
    row = admin.locator("tr", has_text="BI-2099-01")
    assert effective in row.inner_text() and "43,50" in row.inner_text()
    shots(admin, "admin-politique-ajoutee")
    coord.reload()
    coord.locator("tr", has_text="BI-2099-01").wait_for()


def test_interpreter_adds_an_eligibility_document_with_its_file(system, people, browser, shots):
    alice = login(browser, system, people["alice"]["user_id"], PASSWORD)
    menu(alice, "link", "Profil").click()
    # The profile's files form has fields of the same names; these belong to the document's form.
    doc_form = alice.locator("form", has=alice.get_by_role("button", name="Téléverser le document"))
    doc_form.get_by_label("Nom du document", exact=True).fill("Permis de travail")
    doc_form.get_by_label("Description", exact=True).fill("IMM 1442")
    doc_form.get_by_label("Date d'échéance", exact=True).fill("2031-06-30")
    doc_form.get_by_label("Fichier (PDF, JPEG ou PNG, 10 Mo au plus)", exact=True).set_input_files(
        {"name": "permis.pdf", "mimeType": "application/pdf", "buffer": PDF})
    doc_form.get_by_role("button", name="Téléverser le document").click()
    alice.wait_for_selector("text=Modifications enregistrées.")
    card = alice.locator("#profile-eligibility tbody tr", has_text="Permis de travail")
    assert "2031-06-30" in card.inner_text() and "IMM 1442" in card.inner_text()
    with alice.expect_download() as info:
        card.get_by_role("link", name="Permis de travail").click()
    assert Path(info.value.path()).read_bytes() == PDF
    shots(alice, "interprete-document-admissibilite")

    email, password = people["coordinator"]
    coord = login(browser, system, email, password)
    coord.goto(f"{system.url}/interpretes?q=Lacune")
    row = coord.locator("tr", has_text="Alice Lacune")
    with coord.expect_download() as info:
        row.get_by_role("link", name="Permis de travail").click()
    assert Path(info.value.path()).read_bytes() == PDF
    shots(coord, "coordonnateur-document-interprete")


def test_coordinator_downloads_the_billing_export_of_a_period(system, people, browser, shots):
    api = people["api"]
    alice_api = ApiClient.login(system.url, people["alice"]["user_id"], PASSWORD)
    yesterday = (datetime.now(MONTREAL) - timedelta(days=1)).date()
    # A cost centre of its own (the bank adds it to the reference data), so the period's billing
    # has a row for this booking alone; booking takes it once its copy has the new item.
    api.ok(api.post("/reference/cost-centres", {"establishment": "HC", "code": "7309999",
                                                "label_fr": "Unité des lacunes"}), 201)

    made: list[str] = []

    def created() -> bool:
        resp = api.post("/bookings", {**BOOKING, "date": yesterday.isoformat(), "start_time": "09:00",
                                      "cost_center": "7309999", "cost_center_description": "Unité des lacunes"})
        if resp.status_code == 201:
            made.append(resp.json()["id"])
        return bool(made)
    wait_until(created, timeout=30)
    bid = made[0]
    api.ok(api.post(f"/bookings/{bid}/assign", {"interpreter_id": people["alice"]["user_id"]}))
    start = datetime(yesterday.year, yesterday.month, yesterday.day, 9, 0, tzinfo=MONTREAL)
    alice_api.ok(alice_api.post(f"/bookings/{bid}/report", {
        "provided": True, "actual_start": start.isoformat(),
        "actual_end": (start + timedelta(hours=1)).isoformat(), "wait_minutes": 0, "distance_km": "0",
        "travel_minutes": 0, "communications": [], "words": 0, "other_fees_cents": 0,
        "additional_service": False, "comments": "RAS"}))
    api.ok(api.post(f"/bookings/{bid}/close", {"comment": "Conforme"}))

    def period_with_billing():
        for period in api.ok(api.get("/payroll/periods"))["items"]:
            billing = api.get("/payroll/billing", params={"period": period["id"]})
            if billing.status_code == 200 and any(i["cost_center"] == "7309999" for i in billing.json()["items"]):
                return period["id"]
        return None
    wait_until(lambda: period_with_billing() is not None, timeout=30)
    period = period_with_billing()

    email, password = people["coordinator"]
    coord = login(browser, system, email, password)
    coord.goto(f"{system.url}/paie")
    link = coord.locator(f"a[href='/paie/{period}/facturation.csv']")
    assert link.inner_text() == "Facturation par établissement (CSV)"
    shots(coord, "coordonnateur-exports-periode")
    with coord.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == f"facturation-{period}.csv"
    content = Path(info.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")     # the BOM: Excel opens the accents as they are
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["establishment", "cost_center", "cost_center_description", "bookings"]
    mine = next(r for r in rows if r[1] == "7309999")
    assert mine[0] == "HC" and mine[2] == "Unité des lacunes" and mine[3] == "1" and float(mine[-1]) > 0
    assert rows[-1][0] == "TOTAL"
