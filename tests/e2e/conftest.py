"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

Fixtures: `page` (a fresh browser page, 1366×900), `login(page, user, password="pass-1234")`,
`shot(page, name)` (saves test-artifacts/screenshots/<name>.png). Never downloads a browser.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from tests.e2e.inflight import wait_until_idle

# Playwright's sync API keeps an event loop in this thread; Django's ORM calls from the test
# body are still plain synchronous code, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The simulated user sits in the site's time zone, as its staff do: the browser's "today" (date
# fields, the timer) and the server's agree even in the hour after midnight there, when the
# machine's UTC day is still the day before.
BROWSER_TIME_ZONE = settings.TIME_ZONE
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


# Before the live server loads its middleware (first browser test): count its requests.
INFLIGHT = "tests.e2e.inflight.CountRequestsInFlight"
if INFLIGHT not in settings.MIDDLEWARE:
    settings.MIDDLEWARE = [INFLIGHT, *settings.MIDDLEWARE]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # A loaded 2-core CI machine answers htmx swaps slower than a laptop: wait up to 15 s.
    expect.set_options(timeout=15_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, base_url=live_server.url, timezone_id=BROWSER_TIME_ZONE
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    # The database is emptied next: let requests the page left running finish first.
    wait_until_idle()


@pytest.fixture
def login():
    def do_login(page, user, password="pass-1234"):
        page.goto("/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return do_login


@pytest.fixture
def shot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save
