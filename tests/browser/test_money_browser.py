"""The exchange rates page and the portfolio's converted total, in the browser."""

import shutil

from playwright.sync_api import expect


def test_rates_page_and_portfolio_total(demo, login, live_server, shoot):
    page = login("coo")
    page.get_by_role("link", name="Rates", exact=True).click()
    expect(page.get_by_role("heading", name="Exchange rates")).to_be_visible()
    expect(page.get_by_text("1 USD = 0.923 EUR")).to_be_visible()
    for width in (1440, 390):
        shutil.copy(shoot(f"money-rates-{width}", width=width), f"/tmp/money-rates-{width}.png")
    page.goto(f"{live_server.url}/partnerships/")
    total = page.locator("#value-total")
    expect(total).to_contain_text("Annual value of 12 partnerships:")
    expect(total).to_contain_text("1 USD = 0.923 EUR")
    for width in (1440, 390):
        path = shoot(f"money-portfolio-{width}", width=width)
        shutil.copy(path, f"/tmp/money-portfolio-{width}.png")


def test_the_executive_menu_stays_on_one_line(demo, login):
    page = login("coo")
    for width in (1440, 1280, 1200):
        page.set_viewport_size({"width": width, "height": 900})
        tops = page.locator(".mainnav a").evaluate_all(
            "links => links.map(a => a.getBoundingClientRect().top)"
        )
        assert len(set(tops)) == 1, f"the menu wraps at {width} px"
