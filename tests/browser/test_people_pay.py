"""Issue 14, item 5 (first part), on a phone (390x844): the interpreter's "Ma rémunération" shows their
pay for the period (a block per booking with each amount's rule, the period's totals with taxes) in
French formats, and gives the statement as a PDF."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient
from tests.browser.test_journeys import MONTREAL, PASSWORD, account_maker, menu
from tests.browser.test_people_detail import no_sideways_scroll
from tests.browser.test_people_list import PHONE, sign_in

pytestmark = pytest.mark.e2e


def test_my_pay_per_period_with_its_pdf(system, browser, shots):
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)
    ines = account_maker(coord)("interpreter", "Ines", "Paie")
    start = (datetime.now(MONTREAL) - timedelta(hours=3)).replace(second=0, microsecond=0)
    bid = coord.ok(coord.post("/bookings", {
        "source_language": "Français", "target_language": "Hongrois", "mode": "phone", "context": "Santé physique",
        "establishment": "HC", "date": start.date().isoformat(), "start_time": start.strftime("%H:%M"),
        "duration_minutes": 60}), 201)["id"]
    coord.ok(coord.post(f"/bookings/{bid}/assign", {"interpreter_id": ines["user_id"]}))
    api = ApiClient.login(system.url, ines["user_id"], PASSWORD)
    utc = start.astimezone(timezone.utc)
    api.ok(api.post(f"/bookings/{bid}/report", {
        "provided": True, "actual_start": utc.isoformat(), "actual_end": (utc + timedelta(hours=1)).isoformat(),
        "other_fees_cents": 1250}))

    page = sign_in(browser, system, ines["user_id"], PHONE)
    menu(page, "link", "Ma rémunération").click()
    page.wait_for_selector("h1:has-text('Ma rémunération')")

    def priced() -> bool:
        page.reload()
        return page.locator("#statement table.statement-item", has_text=bid).count() == 1
    wait_until(priced, timeout=30)
    item = page.locator("table.statement-item", has_text=bid).inner_text().replace("\xa0", " ")
    assert "Provisoire" in item and " $" in item and "Total" in item, item
    totals = page.inner_text("#period-totals").replace("\xa0", " ")
    assert "Total" in totals and re.search(r"\d+,\d\d \$", totals), totals
    no_sideways_scroll(page)
    shots(page, "ma-remuneration")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le relevé (PDF)").click()
    path = download.value.path()
    assert open(path, "rb").read(5) == b"%PDF-" and download.value.suggested_filename.endswith(".pdf")

    # On the booking, each amount says why: provisional until the bank validates, the receipt missing.
    page.goto(f"{system.url}/reservations/{bid}")
    why = page.inner_text("#remuneration .pay-why").replace("\xa0", " ")
    assert "Montant provisoire" in why and "Reçu manquant" in why and "12,50 $" in why, why
    shots(page, "reservation-remuneration-pourquoi")
