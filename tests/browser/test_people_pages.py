"""Issue 14, item 6 on a phone (390x844): the header folds into a menu (the person's name, their
profile, "Changer le mot de passe", sign out inside), every tap target is at least 24 px (links
inside a sentence excepted, as WCAG 2.5.8 does), the calendar names the weekdays; and each page
visited is scanned by conftest.py for codes, reprs and English words (page_text.py)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.api_client import ApiClient
from tests.browser.test_journeys import MONTREAL, account_maker, menu
from tests.browser.test_people_list import PHONE, sign_in

pytestmark = pytest.mark.e2e

SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a, button, input:not([type=hidden]), select, textarea, summary')].filter(e => {
  const box = e.getBoundingClientRect(), style = getComputedStyle(e);
  if (!e.checkVisibility({visibilityProperty: true}) || box.right <= 0) return false;
  const inSentence = e.tagName === 'A' && style.display === 'inline' && e.closest('p, li, dd, td, small');
  return !inSentence && (box.height < 24 || box.width < 24);
}).map(e => `${e.outerHTML.slice(0, 80)} `
          + `${Math.round(e.getBoundingClientRect().width)}x${Math.round(e.getBoundingClientRect().height)}`)"""


def small_targets(page) -> list[str]:
    return page.evaluate(SMALL_TARGETS)


def test_phone_header_menu_tap_targets_and_weekdays(system, browser, shots):
    email, password = system.coordinator_credentials()
    coord = ApiClient.login(system.url, email, password)
    ines = account_maker(coord)("interpreter", "Ines", "Menu")
    day = (datetime.now(MONTREAL) + timedelta(days=3)).date()
    bid = coord.ok(coord.post("/bookings", {
        "source_language": "Français", "target_language": "Arabe", "mode": "phone", "context": "Santé physique",
        "establishment": "HC", "date": day.isoformat(), "start_time": "10:00", "duration_minutes": 45}), 201)["id"]
    coord.ok(coord.post(f"/bookings/{bid}/assign", {"interpreter_id": ines["user_id"]}))

    page = sign_in(browser, system, ines["user_id"], PHONE)
    header = page.locator("#top").bounding_box()
    assert header["height"] <= 80, header                      # was 270-370 px of 844
    assert page.locator("#main-nav").is_hidden()
    toggle = page.get_by_role("button", name="Menu")
    assert toggle.get_attribute("aria-expanded") == "false"
    shots(page, "telephone-entete-replie")
    toggle.click()
    nav = page.locator("#main-nav")
    assert nav.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    assert "Ines Menu" in page.inner_text("#who")
    for name in ("Réservations", "Calendrier", "Profil", "Changer le mot de passe"):
        assert nav.get_by_role("link", name=name, exact=True).is_visible()
    assert nav.get_by_role("button", name="Déconnexion").is_visible()
    assert small_targets(page) == []
    shots(page, "telephone-menu-ouvert")

    for path in ("/reservations", "/reservations?vue=apres", "/reservations?vue=remuneration",
                 f"/reservations/{bid}", f"/reservations/{bid}/confirmer/withdraw", "/profil",
                 "/calendrier", "/calendrier?vue=semaine", "/mot-de-passe"):
        page.goto(system.url + path)
        assert small_targets(page) == [], (path, small_targets(page))
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path

    # The calendar names each day's weekday on a phone (one day under the other).
    page.goto(f"{system.url}/calendrier?vue=semaine&jour={day.isoformat()}")
    names = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]
    label = page.locator(".day", has_text="Arabe").locator(".dnum").inner_text()
    assert label.startswith(names[day.weekday()]) and day.strftime("%d/%m") in label, label
    assert "10:00–10:45" in page.inner_text(".day .event summary")
    shots(page, "telephone-calendrier-semaine")
    menu(page, "link", "Profil").click()
    page.wait_for_selector("h1:has-text('Profil')")
    assert "Interprète" in page.inner_text("main")
    shots(page, "telephone-profil")
