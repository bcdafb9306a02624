"""My work as a partner manager meets it: everything due from them, Done and Undo in place."""

from playwright.sync_api import expect

from tests.browser.conftest import PHONE


def test_my_work_done_and_undo(demo, login, live_server, shoot):
    page = login("manager")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    rows = page.locator("#results tbody tr")
    expect(rows.first).to_be_visible()
    shoot("my-work-desktop")
    shoot("my-work-phone", width=PHONE["width"])
    open_before = page.locator("#work-counts .figure").first.inner_text()
    done = page.locator("#results tbody tr button:has-text('Done')").first
    row_id = done.locator("xpath=ancestor::tr").get_attribute("id")
    done.click()
    row = page.locator(f"#{row_id}")
    expect(row).to_have_class("work-done")
    expect(page.locator("#work-counts .figure").first).to_have_text(str(int(open_before) - 1))
    row.get_by_role("button", name="Undo").click()
    expect(row.get_by_role("button", name="Undo")).to_have_count(0)
    expect(page.locator("#work-counts .figure").first).to_have_text(open_before)
