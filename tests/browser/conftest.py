"""Playwright drives Debian's Chromium against the live test server."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DESKTOP = {"width": 1360, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)
            # The browser waits on a page served with time running, from tests.clock.NOW.
            item.add_marker(pytest.mark.ticking_clock)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": DESKTOP}


@pytest.fixture
def shoot(page):
    """Save a full-page screenshot under artifacts/screenshots/ (a CI artifact, not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name, *, width=None):
        if width:
            page.set_viewport_size({"width": width, "height": 900})
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if width:
            page.set_viewport_size(DESKTOP)
        return path

    return take


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def login(page, live_server):
    def as_user(username, password="concord-demo"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        return page

    return as_user
