"""The contract & obligations panel on the partnership page, on a desktop and on a phone:
loaded in its slot, nothing wider than the screen, a late obligation shown as late."""

import shutil

from playwright.sync_api import expect

from contracts import selectors
from contracts.models import Obligation
from contracts.occurrences import company_today


def _panel_fits(page):
    return page.evaluate(
        """() => {
          const panel = document.querySelector('#panel-obligations-body');
          const wide = [...panel.querySelectorAll('*')].filter(
            e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1);
          const scrolled = [...panel.querySelectorAll('.table-wrap')].filter(
            w => w.scrollWidth > w.clientWidth + 1);
          return [...wide, ...scrolled].map(e => e.tagName + '.' + e.className + ' ' +
            e.textContent.slice(0, 40) + ' ' + e.getBoundingClientRect().right);
        }"""
    )


def test_obligations_panel_on_desktop_and_phone(page, live_server, demo, login, shoot):
    today = company_today()
    late = [
        o
        for o in selectors.with_fulfilled(Obligation.objects.select_related("partnership"))
        if o.partnership.stage == "active" and selectors.standing(o, today)[0] == "Late"
    ]
    partnership = min((o.partnership for o in late), key=lambda p: p.title)
    login("coo")
    for name, width in (("contracts-panel-desktop", 1440), ("contracts-panel-phone", 390)):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}{partnership.get_absolute_url()}")
        panel = page.locator("#panel-obligations-body")
        expect(panel).to_be_visible()
        expect(panel.get_by_role("heading", name="Obligations", exact=True)).to_be_visible()
        expect(panel.get_by_text("Signed agreement", exact=True)).to_be_visible()
        expect(panel.locator(".ctr-row-late").first).to_be_visible()
        # The page's sticky section menu would cover the top of the panel in the picture.
        page.add_style_tag(content=".section-nav { position: static !important; }")
        path = f"/tmp/{name}.png"
        panel.screenshot(path=path)
        shutil.copy(path, shoot(name).parent / f"{name}-panel.png")
        assert _panel_fits(page) == [], f"something in the panel is cut off at {width} px"
