"""Browser tests: Chromium (the system's /usr/bin/chromium, headless) driven by Playwright through the
web pages of the system started as `make run` starts it. Screenshots go to test-artifacts/browser/.

Every page a test visits is scanned for what no page may show (page_text.py): the page a screenshot
is taken of, live, and every other page the test's browser contexts opened (fetched again with
their cookies when the context closes or the test ends). A test with such a page fails.

`step(page, name)` is what a journey does at each step: scan the page as the person sees it and keep
its screenshot as test-artifacts/screens/<test>/<nn>-<name>.png (gitignored, kept by CI)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ims_common.testing.rabbit import isolated_vhost
from ims_common.testing.system import running_system

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
SCREENS = ARTIFACTS.parent / "screens"


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    with isolated_vhost() as amqp_uri:
        with running_system(tmp_path_factory.mktemp("ims-web"), amqp_uri) as running:
            yield running


_SCAN: dict = {"contexts": [], "found": []}


def _track(context) -> None:
    """Remembers each page a context opens, and scans them all when it closes."""
    visited: list[str] = []
    context.on("page", lambda page: page.on(
        "framenavigated", lambda frame: frame.parent_frame is None and visited.append(frame.url)))
    close = context.close

    def scanning_close(*args, **kwargs):
        _scan_visited(context, visited)
        return close(*args, **kwargs)
    context.close = scanning_close
    _SCAN["contexts"].append((context, visited))


def _scan_visited(context, visited: list[str]) -> None:
    from tests.browser.page_text import html_text, problems
    for url in dict.fromkeys(visited):
        if not url.startswith("http") or "/api/" in url or url.endswith((".ics", ".csv", ".pdf")):
            continue
        try:
            resp = context.request.get(url, max_redirects=0, timeout=15000)
        except Exception:     # the context or its system is gone: nothing more to read
            return
        if resp.status in (301, 302, 303, 405) or "text/html" not in resp.headers.get("content-type", ""):
            continue
        lang, text = html_text(resp.text())
        _SCAN["found"] += [f"{url}: {p}" for p in problems(text, lang)]
    visited.clear()


@pytest.fixture(autouse=True)
def _pages_scanned():
    """After each test: every page its contexts visited shows no code, repr or English word in French."""
    _SCAN["found"] = []
    yield
    for context, visited in _SCAN["contexts"]:
        _scan_visited(context, visited)
    _SCAN["contexts"] = []
    found = list(dict.fromkeys(_SCAN["found"]))
    assert not found, "pages showing what no page may show:\n" + "\n".join(found)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        # The journeys are required (issue 7): a missing browser is a broken setup, not a pass.
        pytest.fail("chromium is not installed: run scripts/ensure_system_deps.sh (as .ci/run does)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        new_context = browser.new_context

        def tracked_context(*args, **kwargs):
            context = new_context(*args, **kwargs)
            _track(context)
            return context
        browser.new_context = tracked_context
        yield browser
        browser.close()


@pytest.fixture
def shots():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 1000))

    def shot(page, name: str) -> None:
        from tests.browser.page_text import check_page
        check_page(page)           # what a person sees at this step: no code, repr or English word
        page.screenshot(path=str(ARTIFACTS / f"{next(counter):02d}-{name}.png"), full_page=True)
    return shot


@pytest.fixture
def step(request):
    """step(page, name): one step of a journey, scanned as seen and screenshotted in the test's own
    directory (its parameters in the name, so both sizes keep theirs), numbered in order."""
    folder = SCREENS / re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    counter = iter(range(1, 1000))

    def take(page, name: str) -> None:
        from tests.browser.page_text import check_page
        page.wait_for_load_state()
        check_page(page)
        page.screenshot(path=str(folder / f"{next(counter):02d}-{name}.png"), full_page=True)
    return take
