"""axe-core (bundled by axe-playwright-python, offline) on every page of the app, as each role
sees it, in Debian's Chromium: no critical and no serious violation anywhere. The pages come
from benchmarks.every_page.page_urls, which the benchmark tests keep complete.

Also: the partnership page's cumulative layout shift while its panels load stays <= 0.1, and
the chart library is loaded only by pages that draw charts."""

import re
from collections import Counter

from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from benchmarks.every_page import PORTAL_PREFIX, page_urls
from partnerships.demo import DEMO_PASSWORD
from partnerships.models import Partnership

AXE = Axe()
BLOCKING = {"critical", "serious"}
IMPACTS = ("critical", "serious", "moderate", "minor")
# Pages that are not HTML documents (downloads) or are fragments loaded into another page.
NOT_DOCUMENTS = ("export", "template", "panel:", "pdf")
ROLES = [("coo", False), ("manager", False), ("viewer", False), ("hannah", True)]
PARTNERSHIP = "Joint AI insights offering"  # the manager's, and hannah's in the portal


def _documents(partnership, portal):
    for name, url in page_urls(partnership).items():
        if url is None or any(part in name for part in NOT_DOCUMENTS):
            continue
        if name in ("login", "password_reset") or name.startswith(PORTAL_PREFIX) == portal:
            yield name, url


def _audit(page, url):
    """{(rule, impact): node count} for one page, once its HTMX panels have loaded."""
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    found = Counter()
    for violation in AXE.run(page).response["violations"]:
        found[violation["id"], violation["impact"]] += len(violation["nodes"])
        if violation["impact"] in BLOCKING:
            print(f"  {url}: {violation['id']} {violation['nodes'][0]['target']}")
    return response.status, found


def _sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def _summary(results):
    """One line per role with nodes by impact, then one line per blocking rule and its pages."""
    lines, blocking, rules = [], {}, Counter()
    for role, pages in results.items():
        impacts = Counter()
        for name, (_status, found) in pages.items():
            for (rule, impact), nodes in found.items():
                impacts[impact] += nodes
                rules[f"{rule} ({impact})"] += nodes
                if impact in BLOCKING:
                    blocking.setdefault((rule, impact), set()).add(f"{role}:{name}")
        counts = ", ".join(f"{k} {impacts[k]}" for k in IMPACTS)
        lines.append(f"{role:<8} {len(pages):>3} pages  nodes: {counts}")
    lines.append("  nodes by rule: " + ", ".join(f"{r} {n}" for r, n in rules.most_common()))
    for (rule, impact), where in sorted(blocking.items()):
        lines.append(f"  {impact:<8} {rule:<28} {len(where)} pages, e.g. {sorted(where)[:4]}")
    return "\n".join(lines), blocking


def test_no_serious_or_critical_axe_violation_on_any_page_for_any_role(demo, live_server, browser):
    partnership = Partnership.objects.get(title=PARTNERSHIP)
    base = live_server.url
    results = {}
    anonymous = browser.new_page()
    results["anon"] = {"login": _audit(anonymous, f"{base}/accounts/login/")}
    anonymous.close()
    for username, portal in ROLES:
        context = browser.new_context(viewport={"width": 1360, "height": 900})
        page = context.new_page()
        _sign_in(page, base, username)
        results[username] = {
            name: _audit(page, base + url) for name, url in _documents(partnership, portal)
        }
        context.close()
    text, blocking = _summary(results)
    print("\n" + text)
    assert results["coo"]["partnerships:detail"][0] == 200
    assert results["hannah"]["portal:partnership"][0] == 200
    assert not blocking, text


PHONE_PAGES = (
    "partnerships:list",
    "partnerships:detail",
    "kpis:entry_grid",
    "partnerships:my_work",
    "digests:preview",
)


def test_no_serious_or_critical_axe_violation_at_phone_width(demo, live_server, browser):
    """The pages a manager and the COO use most, at 390 px, where the layout folds and scrolls
    differently: the menu wraps, tables scroll, the grid shows the current period first."""
    urls = page_urls(Partnership.objects.get(title=PARTNERSHIP))
    results = {}
    for username in ("coo", "manager"):
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        _sign_in(page, live_server.url, username)
        results[username] = {
            name: _audit(page, live_server.url + urls[name]) for name in PHONE_PAGES
        }
        context.close()
    text, blocking = _summary(results)
    print("\n" + text)
    assert all(status == 200 for pages in results.values() for status, _ in pages.values())
    assert not blocking, text


CLS_OBSERVER = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__cls += entry.value;
  }
}).observe({type: 'layout-shift', buffered: true});
"""


def test_partnership_page_layout_shift_while_panels_load(demo, live_server, browser):
    """Eleven panels arrive one by one; each keeps its usual height (``Panel.reserve``) while it
    loads and its stylesheet is already in the page, so what is on screen stays put."""
    partnership = Partnership.objects.get(title=PARTNERSHIP)
    shifts = {}
    for width, height in ((390, 844), (1360, 900)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        _sign_in(page, live_server.url, "coo")
        page.add_init_script(CLS_OBSERVER)
        page.goto(live_server.url + partnership.get_absolute_url())
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        expect(page.locator("#panel-trends canvas").first).to_be_visible()
        shifts[width] = page.evaluate("window.__cls")
        context.close()
    print(f"\ncumulative layout shift, partnership page: {shifts}")
    assert max(shifts.values()) <= 0.1, shifts


def test_chart_library_loads_only_where_charts_are_drawn(live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    scripts = page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    assert not [src for src in scripts if "chart" in src]


def test_a_saved_grid_cell_is_announced(demo, login, live_server, page):
    login("manager")
    page.goto(live_server.url + reverse("kpis:entry_grid"))
    cell = page.locator(".entry-grid td input[type=text]").first
    name = cell.get_attribute("aria-label")
    cell.fill("123")
    cell.press("Tab")
    expect(page.locator("#grid-announcer")).to_have_text(re.compile(rf"^{re.escape(name)}: \w+"))
