"""Browser tests: Chromium (the system's /usr/bin/chromium, headless) driven by Playwright through the
web pages of the system started as `make run` starts it. Screenshots go to test-artifacts/browser/."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.system import running_system

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    with isolated_vhost() as amqp_uri:
        with running_system(tmp_path_factory.mktemp("ims-web"), amqp_uri) as running:
            yield running


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        # The journeys are required (issue 7): a missing browser is a broken setup, not a pass.
        pytest.fail("chromium is not installed: run scripts/ensure_system_deps.sh (as .ci/run does)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


@pytest.fixture
def shots():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 1000))

    def shot(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{next(counter):02d}-{name}.png"), full_page=True)
    return shot
