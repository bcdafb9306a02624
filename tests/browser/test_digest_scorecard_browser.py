"""The demo COO's digest, a KPI scorecard first: the preview page and the email itself at
desktop (1440 px) and phone (390 px) widths."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from digests.building import build_digest, render_digest
from digests.windows import digest_schedule
from tests.browser.conftest import SCREENSHOTS

WIDE, NARROW = 1440, 390


@pytest.fixture
def demo(transactional_db, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    call_command("seed_demo", stdout=io.StringIO())


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_coos_digest_opens_with_the_scorecard(demo, login, live_server, shoot):
    page = login("coo")
    page.goto(f"{live_server.url}/digests/preview/")
    expect(page.locator("h1")).to_have_text("Preview of your next digest")
    headings = page.locator(".digest-frame h2")
    expect(headings.first).to_have_text("Scorecard")
    expect(page.locator(".subtitle")).to_contain_text("covering the 7 days before the send day")
    subject = page.locator(".digest-subject strong").inner_text()
    assert "KPI" in subject and "— week" in subject
    for width in (WIDE, NARROW):
        page.set_viewport_size({"width": width, "height": 900})
        assert _fits(page), f"the preview scrolls sideways at {width} px"
        shoot(f"digest-scorecard-preview-{width}", width=width)

    coo = get_user_model().objects.get(username="coo")
    email = render_digest(build_digest(coo, digest_schedule(coo)))
    assert email.subject == subject  # the same digest as the preview
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "digest-scorecard-email.html").write_text(email.html)
    (SCREENSHOTS / "digest-scorecard-email.txt").write_text(email.text)
    for width in (WIDE, NARROW):
        page.set_viewport_size({"width": width, "height": 900})
        page.set_content(email.html)
        expect(page.locator("h2").first).to_have_text("Scorecard")
        assert _fits(page), f"the email scrolls sideways at {width} px"
        shoot(f"digest-scorecard-email-{width}", width=width)
