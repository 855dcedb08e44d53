"""Issue 15, "done when": a coordinator does a day's work in the browser, without the API, at desktop
size in French: creates an interpreter, offers a request to every qualified interpreter at once,
assigns another directly (by name), validates a reported service in the validation queue, opens the
pay period it falls in, downloads the interpreter's statement as PDF and closes the period through
its confirmation. The requests, the interpreters' profiles and the report are the requesters' and
interpreters' own work: they come through the API beforehand."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from ims_common.testing.wait import wait_until
from tests.api_client import ApiClient
from tests.browser.test_journeys import MONTREAL, PASSWORD, account_maker
from tests.browser.test_pay_periods import at, periods
from tests.browser.test_validation_queue import staff_page

pytestmark = pytest.mark.e2e
BOOKING = {"source_language": "Français", "target_language": "Arménien", "mode": "phone",
           "context": "Santé physique", "establishment": "HC", "duration_minutes": 60}
PROFILE = {"language_pairs": [{"source": "Français", "target": "Arménien", "country": "Arménie"}],
           "request_types": ["phone", "video"], "availability": {"always": True, "slots": []}}


@pytest.fixture(scope="module")
def morning(system):
    """Two interpreters of Armenian; two requests for tomorrow; a call Ani did in the last period,
    reported by her."""
    email, password = system.coordinator_credentials()
    api = ApiClient.login(system.url, email, password)
    make = account_maker(api)
    ani, aram = make("interpreter", "Ani", "Journee"), make("interpreter", "Aram", "Journee")
    for person in (ani, aram):
        api.ok(api.request("PATCH", f"/profiles/{person['user_id']}", json=PROFILE))
    tomorrow = (datetime.now(MONTREAL) + timedelta(days=1)).date().isoformat()
    broadcast = api.ok(api.post("/bookings", {**BOOKING, "date": tomorrow, "start_time": "10:00"}), 201)["id"]
    direct = api.ok(api.post("/bookings", {**BOOKING, "date": tomorrow, "start_time": "14:00"}), 201)["id"]
    current, previous = periods(api)
    day = date.fromisoformat(current["start"]) - timedelta(days=2)
    served = api.ok(api.post("/bookings", {**BOOKING, "date": day.isoformat(), "start_time": "09:00"}), 201)["id"]
    api.ok(api.post(f"/bookings/{served}/assign", {"interpreter_id": ani["user_id"]}))
    own = ApiClient.login(system.url, ani["user_id"], PASSWORD)
    own.ok(own.post(f"/bookings/{served}/report", {"provided": True, "actual_start": at(day, 9),
                                                    "actual_end": at(day, 10), "comments": "RAS"}))

    def both_candidates():
        found = api.ok(api.get(f"/bookings/{broadcast}/candidates"))["candidates"]
        return {c["interpreter_id"] for c in found} >= {ani["user_id"], aram["user_id"]}
    wait_until(both_candidates, timeout=30)
    wait_until(lambda: api.get(f"/payroll/periods/{previous}").json().get("statements"), timeout=30)
    return {"ani": ani, "aram": aram, "broadcast": broadcast, "direct": direct, "served": served,
            "previous": previous}


def test_a_coordinators_day_in_the_browser(system, morning, browser, shots):
    page = staff_page(browser, system)

    # A new interpreter joins the bank: the account, with a temporary password sent by email.
    page.get_by_role("link", name="Interprètes", exact=True).click()
    page.get_by_role("link", name="Nouvel interprète").click()
    page.get_by_label("Prénom", exact=True).fill("Zoé")
    page.get_by_label("Nom", exact=True).fill("Nouvelle")
    page.get_by_label("Courriel", exact=True).fill("zoe.nouvelle@example.org")
    page.get_by_role("button", name="Créer le compte").click()
    assert "Zoé Nouvelle" in page.inner_text("#created") and "mot de passe temporaire" in page.inner_text("#created")
    shots(page, "journee-interprete-cree")

    # The first request goes to every qualified interpreter at once.
    page.get_by_role("link", name="Tableau de bord").click()
    page.get_by_role("link", name=morning["broadcast"]).first.click()
    page.get_by_role("button", name="Offrir à tous les interprètes qualifiés").click()
    assert "tous les interprètes qualifiés" in page.inner_text("#done")
    offered = page.inner_text("#offered-to")
    assert "Ani Journee" in offered and "Aram Journee" in offered and morning["ani"]["user_id"] not in offered
    shots(page, "journee-offre-a-tous")

    # The second is assigned directly, by name.
    page.get_by_role("link", name="Tableau de bord").click()
    page.get_by_role("link", name=morning["direct"]).first.click()
    page.get_by_label("Interprète à assigner").select_option(label="Aram Journee")
    page.get_by_role("button", name="Assigner", exact=True).click()
    page.wait_for_selector("h1:has-text('Réservé')")
    assert "Interprète assigné." in page.inner_text("#done") and "Aram Journee" in page.inner_text("#assigned")
    shots(page, "journee-assignee")

    # Yesterday's reported call is validated in the queue.
    page.get_by_role("link", name="Validation").click()
    page.get_by_role("button", name=f"Valider {morning['served']}").click()
    assert "validée" in page.inner_text("#done")
    shots(page, "journee-validee")

    # The last pay period: Ani's statement as PDF, then the period is closed.
    page.get_by_role("link", name="Paie").click()
    page.locator(f"a[href='/paie/{morning['previous']}']").first.click()

    def settled():     # payroll has read the validation: nothing of Ani's is provisional any more
        page.reload()
        row = page.locator("#statements tr", has_text="Ani Journee")
        return row.count() == 1 and row.locator("td").nth(6).inner_text().strip() == "—"
    wait_until(settled, timeout=30)
    with page.expect_download() as download:
        page.locator("#statements tr", has_text="Ani Journee").get_by_role("link", name="PDF").click()
    with open(download.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    page.get_by_role("link", name="Fermer la période…").click()
    page.get_by_role("button", name="Oui, fermer la période").click()
    page.wait_for_selector("#done")
    assert "verrouillés" in page.inner_text("#done")
    shots(page, "journee-periode-fermee")


def test_one_to_assign_everywhere_and_the_missed_apart(system, morning, browser, shots):
    """Issue 15, item 6: the dashboard's "À assigner" is booking's one definition (pending, start still
    to come), the same count as the list's queue; a request whose start passed unfilled is shown apart."""
    email, password = system.coordinator_credentials()
    api = ApiClient.login(system.url, email, password)
    now = datetime.now(MONTREAL)
    start = max(now.replace(hour=0, minute=0, second=0, microsecond=0), now - timedelta(minutes=30))
    late = api.ok(api.post("/bookings", {**BOOKING, "date": start.date().isoformat(),
                                         "start_time": start.strftime("%H:%M")}), 201)["id"]
    queue = api.ok(api.get("/bookings", params={"queue": "to_assign", "per_page": 200}))
    assert late not in [b["id"] for b in queue["items"]]
    page = staff_page(browser, system)
    page.get_by_role("link", name="Tableau de bord").click()
    assert f"({queue['total']})" in page.inner_text("#to-assign h2")
    assert late not in page.inner_text("#to-assign") and late in page.inner_text("#missed")
    shots(page, "tableau-de-bord-a-assigner-et-passees")


def test_the_interpreters_list_filters_by_pair_region_and_request_type(system, morning, browser, shots):
    """Issue 15, item 3 (the list's filters): by language pair, region and request type."""
    email, password = system.coordinator_credentials()
    api = ApiClient.login(system.url, email, password)
    api.ok(api.request("PATCH", f"/profiles/{morning['aram']['user_id']}", json={
        "region": "14-Lanaudière", "request_types": ["in_person"]}))
    page = staff_page(browser, system)
    page.get_by_role("link", name="Interprètes", exact=True).click()
    page.get_by_label("Langue d'arrivée").fill("armenien")
    page.get_by_role("button", name="Chercher").click()
    roster = page.inner_text("#roster")
    assert "Ani Journee" in roster and "Aram Journee" in roster and "Zoé Nouvelle" not in roster
    page.get_by_label("Type de demande").select_option(label="Par téléphone")
    page.get_by_role("button", name="Chercher").click()
    roster = page.inner_text("#roster")
    assert "Ani Journee" in roster and "Aram Journee" not in roster
    page.get_by_label("Type de demande").select_option(value="")
    page.get_by_label("Région").select_option("14-Lanaudière")
    page.get_by_role("button", name="Chercher").click()
    roster = page.inner_text("#roster")
    assert "Aram Journee" in roster and "Ani Journee" not in roster and "1 interprète(s)" in page.inner_text("#count")
    shots(page, "interpretes-filtres")
    page.get_by_label("Région").select_option(value="")
    page.get_by_label("Comptes verrouillés seulement").check()      # nobody is locked out here
    page.get_by_role("button", name="Chercher").click()
    assert "0 interprète(s)" in page.inner_text("#count") and "Ani Journee" not in page.inner_text("#roster")


def test_one_interpreters_file(system, morning, browser, shots):
    """Issue 15, item 3 (the file page): from the list, one interpreter's profile, bookings and pay."""
    page = staff_page(browser, system)
    page.get_by_role("link", name="Interprètes", exact=True).click()
    page.get_by_role("link", name="Ani Journee").click()
    page.wait_for_selector("h1:has-text('Dossier de Ani Journee')")
    assert "Français → Arménien" in page.inner_text("#file-profile")
    assert "Par téléphone" in page.inner_text("#file-profile") and "Toujours disponible" in page.inner_text("#file-profile")
    assert morning["served"] in page.inner_text("#file-bookings")
    assert "82,00\xa0$" in page.inner_text("#file-pay")
    shots(page, "interprete-dossier")
