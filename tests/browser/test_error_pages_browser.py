"""The error pages as a user meets them: in the layout, on a desktop and on a phone."""

from playwright.sync_api import expect

from tests.browser.conftest import PHONE


def test_not_found_and_forbidden_pages(demo, login, live_server, shoot):
    page = login("viewer")
    page.goto(f"{live_server.url}/partnerships/999999/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("link", name="Go to the home page")).to_be_visible()
    shoot("error-404-desktop")
    shoot("error-404-phone", width=PHONE["width"])
    # A viewer's menu has no KPI entry; opening it anyway is refused in the layout.
    expect(page.get_by_role("navigation", name="Main").get_by_text("KPI entry")).to_have_count(0)
    response = page.goto(f"{live_server.url}/partnerships/new/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You do not have access to this page")).to_be_visible()
    shoot("error-403-desktop")
