"""Issue 15, item 5, at desktop size in French: a coordinator opens a pay period, sees its totals and
one statement per interpreter (by name), opens one on screen and downloads it as PDF; closing goes
through a confirmation that says what it locks and lists the amounts still provisional; the period
still running is refused by payroll, in French, and so is an ended one holding a provisional amount
neither validated nor carried; carried, the period closes."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient
from tests.browser.test_journeys import MONTREAL, PASSWORD, account_maker
from tests.browser.test_validation_queue import staff_page

pytestmark = pytest.mark.e2e
BOOKING = {"source_language": "Français", "target_language": "Dari", "mode": "phone",
           "context": "Santé physique", "establishment": "HC", "start_time": "09:00", "duration_minutes": 60}


def at(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour), MONTREAL).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def periods(api: ApiClient) -> tuple[dict, str]:
    """(the period running today, the id of the one before it, which has ended)."""
    current = next(p for p in api.ok(api.get("/payroll/periods"))["items"] if not p["ended"])
    length = (date.fromisoformat(current["end"]) - date.fromisoformat(current["start"])).days + 1
    return current, (date.fromisoformat(current["start"]) - timedelta(days=length)).isoformat()


def served_in_past_period(system) -> dict:
    """Paul Periode did a call two days before the current period began, and reported it: a
    provisional amount in the period before, which has ended."""
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)
    paul = account_maker(coord)("interpreter", "Paul", "Periode")
    current, previous = periods(coord)
    day = date.fromisoformat(current["start"]) - timedelta(days=2)
    bid = coord.ok(coord.post("/bookings", {**BOOKING, "date": day.isoformat()}), 201)["id"]
    coord.ok(coord.post(f"/bookings/{bid}/assign", {"interpreter_id": paul["user_id"]}))
    api = ApiClient.login(system.url, paul["user_id"], PASSWORD)
    api.ok(api.post(f"/bookings/{bid}/report", {"provided": True, "actual_start": at(day, 9),
                                                "actual_end": at(day, 10), "comments": "RAS"}))
    wait_until(lambda: coord.get(f"/payroll/periods/{previous}").json().get("statements"), timeout=30)
    return {"paul": paul, "booking": bid, "current": current["id"], "previous": previous}


def test_statements_on_screen_and_as_pdf_then_closing_with_its_confirmation(system, browser, shots):
    past = served_in_past_period(system)
    coord = staff_page(browser, system)
    coord.get_by_role("link", name="Paie").click()
    coord.wait_for_selector("h1:has-text('Paie')")

    # The period still running: the confirmation warns, payroll refuses, in French.
    coord.goto(f"{system.url}/paie/{past['current']}/fermer")
    assert "n'est pas terminée" in coord.inner_text("#not-ended")
    coord.get_by_role("button", name="Oui, fermer la période").click()
    assert "ne peut pas encore être fermée" in coord.inner_text("#error-summary")
    assert "payroll." not in coord.inner_text("main")     # words, never a code
    shots(coord, "paie-periode-en-cours-refusee")

    # The period before: its totals and Paul's statement, by name, on screen and as PDF.
    coord.goto(f"{system.url}/paie")
    coord.locator(f"a[href='/paie/{past['previous']}']").first.click()
    statements = coord.locator("#statements")
    assert "Paul Periode" in statements.inner_text() and past["paul"]["user_id"] not in statements.inner_text()
    assert "82,00\xa0$" in statements.inner_text() and "82,00\xa0$" in coord.inner_text("#period-totals")
    shots(coord, "paie-periode-releves")
    coord.get_by_role("link", name="Voir le relevé de Paul Periode").click()
    coord.wait_for_selector("h1:has-text('Paul Periode')")
    item = coord.locator("table.statement-item").first.inner_text()
    assert past["booking"] in item and "Provisoire" in item and "82,00\xa0$" in item
    shots(coord, "paie-releve-ecran")
    with coord.expect_download() as download:
        coord.get_by_role("link", name="Télécharger le relevé (PDF)").click()
    pdf = download.value
    assert pdf.suggested_filename.endswith(".pdf")
    with open(pdf.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"

    # Closing: what it locks, the provisional amount listed; refused until it is carried.
    coord.get_by_role("link", name="Retour à la période").click()
    coord.get_by_role("link", name="Fermer la période…").click()
    assert "deviennent définitifs" in coord.inner_text("#locks") and "ne peut pas être annulée" in coord.inner_text("#locks")
    provisional = coord.locator("#provisional")
    assert past["booking"] in provisional.inner_text() and "Paul Periode" in provisional.inner_text()
    shots(coord, "paie-fermeture-confirmation")
    coord.get_by_role("button", name="Oui, fermer la période").click()
    assert "montant(s) provisoire(s)" in coord.inner_text("#error-summary")
    coord.get_by_label(f"Reporter {past['booking']}").check()
    coord.get_by_role("button", name="Oui, fermer la période").click()
    coord.wait_for_selector("#done")
    assert "verrouillés" in coord.inner_text("#done") and "Fermée le" in coord.inner_text("#period-status")
    assert coord.get_by_role("link", name="Fermer la période…").count() == 0
    shots(coord, "paie-periode-fermee")
