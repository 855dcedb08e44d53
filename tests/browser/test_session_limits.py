"""Both session limits said to the person (issue 17, item 3), in Chromium: the sign-in page says the
policy (idle timeout, absolute lifetime), the header of every page says when this session closes at
the latest, in Montreal time and French formats (English in English), from the policy data the
system runs with (here 30 min and 4 h, not the defaults: nothing is written in the page)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.system import running_system
from tests.api_client import ApiClient
from tests.browser.test_journeys import account_maker, menu
from tests.browser.test_shared_workstation import sign_in

pytestmark = pytest.mark.e2e
IDLE, LIFETIME = 30 * 60, 4 * 3600
MONTREAL = ZoneInfo("America/Montreal")
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    with isolated_vhost() as amqp_uri:
        with running_system(tmp_path_factory.mktemp("ims-limits"), amqp_uri, extra_env={
                "IMS_REFRESH_TOKEN_TTL": str(IDLE), "IMS_SESSION_LIFETIME": str(LIFETIME)}) as running:
            yield running


def text(locator) -> str:
    return locator.inner_text().replace(NBSP, " ")


def ends_around(before: datetime, after: datetime) -> set[tuple[int, int]]:
    """(hour, minute) in Montreal of every minute the session's end may fall on."""
    out, moment = set(), (before + timedelta(seconds=LIFETIME)).astimezone(MONTREAL).replace(second=0)
    while moment <= (after + timedelta(seconds=LIFETIME)).astimezone(MONTREAL):
        out.add((moment.hour, moment.minute))
        moment += timedelta(minutes=1)
    return out


def test_the_sign_in_page_and_every_page_say_when_the_session_closes(system, browser):
    email, password = system.coordinator_credentials()
    person = account_maker(ApiClient.login(system.url, email, password))("interpreter", "Lise", "Limite")
    context = browser.new_context(locale="fr-CA", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(system.url + "/connexion")
    assert text(page.locator("#session-policy")) == (
        "Votre session se ferme après 30 min d'inactivité et au plus tard 4 h après la connexion.")

    before = datetime.now(MONTREAL)
    sign_in(page, system, person["email"])
    after = datetime.now(MONTREAL)
    menu(page, "link", "Profil")                                         # the account menu, opened on a phone
    said = text(page.locator("#session-limits"))
    found = re.fullmatch(r"Session : se ferme après 30 min d'inactivité, au plus tard "
                         r"(?:le (\S+) )?à (\d{1,2}) h (\d{2})\.", said)
    assert found, said
    assert (int(found.group(2)), int(found.group(3))) in ends_around(before, after), said
    ends = (before + timedelta(seconds=LIFETIME)).astimezone(MONTREAL)
    assert found.group(1) == (None if ends.date() == after.date() else ends.date().isoformat()), said
    page.goto(system.url + "/profil")
    assert text(page.locator("#session-limits")) == said                 # on every page, the same end

    page.locator("#top").get_by_role("button", name="English").click()
    page.wait_for_selector("#session-limits")
    english = text(page.locator("#session-limits"))
    assert re.fullmatch(r"Session: closes after 30 min of inactivity, at the latest (?:on \S+ )?at "
                        r"\d{1,2}:\d{2} [AP]M\.", english), english
    page.locator("#top").get_by_role("button", name="Français").click()
    page.wait_for_selector("#session-limits")
    context.close()
