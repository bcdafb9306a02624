"""The entry grid from the keyboard: Enter saves and moves down, arrows move between cells,
nothing submits the page, and the grid opens on the current period, on a phone too."""

import re

from playwright.sync_api import expect

from kpis import periods
from kpis.models import Kpi, Measurement
from partnerships.models import Partnership
from tests.browser.conftest import PHONE


def test_enter_saves_and_moves_down_without_sending_the_page(demo, login, live_server, shoot):
    partnership = Partnership.objects.get(title="Joint AI insights offering")
    kpis = list(
        Kpi.objects.filter(partnership=partnership, frequency="monthly", is_active=True).order_by(
            "name"
        )
    )
    page = login("manager")
    url = f"{live_server.url}/kpis/entry/?partnership={partnership.pk}"
    page.goto(url)
    expect(page.locator("#number-rule")).to_contain_text("250,000")
    grid = page.locator("table.entry-grid").filter(has=page.locator("tbody tr:nth-child(2)"))
    rows = grid.first.locator("tbody tr")
    first = rows.nth(0).locator("td.current input[type=text]")
    second = rows.nth(1).locator("td.current input[type=text]")
    first_kpi = int(first.evaluate("e => e.closest('td').id.split('-')[1]"))

    first.fill("250,000")  # the company writes a point for decimals: a quarter of a million
    first.press("Enter")
    expect(second).to_be_focused()
    expect(rows.nth(0).locator("td.current .cell-note")).to_have_text(re.compile("saved|corrected"))
    assert page.url == url  # no page was sent: no reload, no "Nothing changed"
    expect(page.locator(".flash-info, .flash-success")).to_have_count(0)
    current = periods.recent_periods("monthly", 1)[0]
    assert Measurement.objects.filter(kpi_id=first_kpi, period=current, value=250000).exists()
    assert first_kpi in {k.pk for k in kpis}

    second.press("ArrowUp")
    expect(first).to_be_focused()
    first.press("ArrowLeft")  # the whole value is selected: the caret is not at the start
    first.press("Home")
    first.press("ArrowLeft")  # now it is: the cell of the previous period
    assert first.evaluate("e => document.activeElement !== e")
    previous = "e.closest('td').previousElementSibling.querySelector('input')"
    assert first.evaluate(f"e => document.activeElement === {previous}")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    page.keyboard.press("ArrowRight")
    expect(first).to_be_focused()

    first.fill("1.5k")
    first.press("Enter")
    expect(rows.nth(0).locator(".cell-error")).to_contain_text("write the whole number")
    shoot("grid-keyboard-desktop")


def test_the_grid_opens_on_the_current_period_on_a_phone(demo, login, live_server, page, shoot):
    partnership = Partnership.objects.get(title="Joint AI insights offering")
    page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
    login("manager")
    page.goto(f"{live_server.url}/kpis/entry/?partnership={partnership.pk}")
    current = page.locator("table.entry-grid").first.locator("thead th.current")
    expect(current).to_be_in_viewport()
    shoot("grid-phone")
