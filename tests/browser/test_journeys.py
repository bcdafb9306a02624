"""The journeys of the COO dashboard issue, on seed_demo data, with screenshots of each step
(artifacts/screenshots/, a CI artifact, not committed)."""

import re

from playwright.sync_api import expect

from kpis import periods
from kpis.models import Alert, CorrectiveAction, Kpi, Measurement
from partnerships.models import Partnership
from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.clock import days_from_today

PANELS = ("kpis", "trends", "alerts", "health", "timeline")


def open_dashboard(page, url):
    """The partnership page with every panel loaded and every trend chart drawn."""
    page.goto(url)
    for key in PANELS:
        expect(page.locator(f"#panel-{key}-body")).to_be_visible()
    expect(page.locator(".panel-loading")).to_have_count(0)
    expect(page.locator("figure[data-chart]:not([data-drawn])")).to_have_count(0)


def test_coo_finds_a_red_partnership_and_acts_on_its_alerts(demo, login, live_server, shoot):
    page = login("coo")
    expect(page.locator(".tile-group").filter(has_text="Health")).to_be_visible()
    shoot("journey-coo-1-portfolio")

    page.select_option("#id_health", "red")
    expect(page).to_have_url(re.compile(r"health=red"))
    red = Partnership.objects.get(title="Swedish channel programme")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody tr")).to_contain_text(red.title)
    shoot("journey-coo-2-filtered-red")

    page.click(f"text={red.title}")
    expect(page.locator("h1")).to_have_text(red.title)
    expect(page.locator(".header-facts")).to_contain_text("Unhealthy")  # why, at a glance
    expect(page.locator(".header-facts")).to_contain_text("KPI results")
    for key in PANELS:
        expect(page.locator(f"#panel-{key}-body")).to_be_visible()
    health = page.locator("#panel-health-body")
    expect(health).to_contain_text("Unhealthy")
    expect(health.locator(".health-parts tbody tr").first).to_be_visible()  # why it is red
    expect(page.locator("#panel-trends-body canvas").first).to_be_visible()
    shoot("journey-coo-3-red-dashboard")

    alerts = page.locator("#panel-alerts-body")
    alert = Alert.objects.filter(partnership=red, state="open").order_by("-severity").first()
    item = alerts.locator("li").filter(has_text=alert.kpi.name).first
    item.locator("summary", has_text="Acknowledge").click()
    item.locator("textarea[name=comment]").fill("Escalated to their channel director")
    item.locator("text=Acknowledge alert").click()
    expect(page.locator("#panel-alerts-body")).to_contain_text(
        "Escalated to their channel director"
    )
    alert.refresh_from_db()
    assert alert.state == "acknowledged"

    item = page.locator("#panel-alerts-body li").filter(has_text=alert.kpi.name).first
    item.locator("summary", has_text="+ Corrective action").click()
    item.locator("textarea[name=description]").fill("Joint pipeline review every Monday")
    due = item.locator("input[name=due_date]")
    due.fill("2000-01-01")
    item.locator("text=Add corrective action").click()
    expect(page.locator("#panel-alerts-body .form-errors")).to_contain_text("past")
    shoot("journey-coo-4-action-error")
    item = page.locator("#panel-alerts-body li").filter(has_text=alert.kpi.name).first
    item.locator("input[name=due_date]").fill(_in_days(21))
    item.locator("text=Add corrective action").click()
    expect(page.locator("#panel-alerts-body")).to_contain_text("Joint pipeline review every Monday")
    expect(page.locator("#panel-alerts-body .form-errors")).to_have_count(0)
    assert CorrectiveAction.objects.filter(
        alert=alert, description="Joint pipeline review every Monday"
    ).exists()
    shoot("journey-coo-5-acted")


def _in_days(days):
    return days_from_today(days).isoformat()


def test_manager_enters_values_then_imports_a_fixed_spreadsheet(
    demo, login, live_server, shoot, tmp_path
):
    partnership = Partnership.objects.get(title="Joint AI insights offering")
    kpi = Kpi.objects.filter(partnership=partnership, frequency="monthly", is_active=True).first()
    page = login("manager")
    page.goto(f"{live_server.url}/kpis/entry/?partnership={partnership.pk}")
    cell = page.locator(f"td.current[id^='cell-{kpi.pk}-'] input[type=text]")
    cell.fill("")
    cell.fill("42")
    cell.press("Tab")
    expect(page.locator(f"td.current[id^='cell-{kpi.pk}-'] .cell-note")).to_be_visible()
    current = periods.recent_periods("monthly", 1)[0]
    assert Measurement.objects.get(kpi=kpi, period=current).value == 42
    shoot("journey-manager-1-grid")

    last_month = periods.recent_periods("monthly", 2)[0]
    bad = tmp_path / "measurements.csv"
    bad.write_text(
        "kpi_id,period,value,note\n"
        f"{kpi.pk},{last_month:%Y-%m-%d},51,from the partner report\n"
        f"{kpi.pk},{last_month:%Y-%m-%d},abc,typo\n"
    )
    page.goto(f"{live_server.url}/kpis/import/")
    page.set_input_files("input[type=file]", str(bad))
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator(".import-errors")).to_contain_text("abc")
    shoot("journey-manager-2-import-error")

    good = tmp_path / "measurements-fixed.csv"
    good.write_text(
        f"kpi_id,period,value,note\n{kpi.pk},{last_month:%Y-%m-%d},51,from the partner report\n"
    )
    page.goto(f"{live_server.url}/kpis/import/")
    page.set_input_files("input[type=file]", str(good))
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator("text=Ready to import")).to_be_visible()
    shoot("journey-manager-3-import-ready")
    page.locator("form.form-actions button").click()
    expect(page.locator(".badge-green", has_text="Imported")).to_be_visible()
    shoot("journey-manager-4-imported")
    assert Measurement.objects.filter(kpi=kpi, period=last_month, value=51).exists()


def test_viewer_sees_no_edit_control(demo, login, live_server, shoot):
    partnership = (
        Partnership.objects.filter(team__username="viewer")
        .filter(pk__in=Alert.objects.filter(resolved_at__isnull=True).values("partnership"))
        .first()
        or Partnership.objects.filter(team__username="viewer").first()
    )
    page = login("viewer")
    open_dashboard(page, f"{live_server.url}{partnership.get_absolute_url()}")
    for label in (
        "Edit details",
        "Move stage",
        "+ Objective",
        "+ KPI",
        "Enter values",
        "Acknowledge",
        "+ Corrective action",
        "+ Log interaction",
    ):
        expect(page.get_by_text(label, exact=True)).to_have_count(0)
    expect(page.locator(".inline-form")).to_have_count(0)
    # No control that changes anything: no field, no submit button (the governance panel wraps
    # its read-only RACI table in a form, but without a field or button in it for a viewer).
    controls = "main textarea, main select, main input:not([type=hidden]), main button"
    expect(page.locator(controls)).to_have_count(0)
    shoot("journey-viewer-dashboard")


def test_portfolio_and_dashboard_at_desktop_and_phone(demo, login, live_server, shoot):
    page = login("coo")
    expect(page.locator("#results tbody tr").first).to_be_visible()
    shoot("portfolio-desktop")
    shoot("portfolio-phone", width=PHONE["width"])
    nordic = Partnership.objects.get(title="Nordic fulfilment network")
    open_dashboard(page, f"{live_server.url}{nordic.get_absolute_url()}")
    assert not page.evaluate(SIDEWAYS), "the dashboard scrolls sideways on a desktop"
    shoot("dashboard-desktop")
    # In print the chart tables appear under the charts and inline forms go away.
    page.emulate_media(media="print")
    expect(page.locator(".trend .chart-table table").first).to_be_visible()
    expect(page.locator(".inline-form").first).to_be_hidden()
    page.pdf(path=str(SCREENSHOTS / "dashboard-print.pdf"))
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": PHONE["width"], "height": 900})
    open_dashboard(page, f"{live_server.url}{nordic.get_absolute_url()}")
    assert not page.evaluate(SIDEWAYS), "the dashboard scrolls sideways on a phone"
    shoot("dashboard-phone", width=PHONE["width"])
    page.set_viewport_size({"width": PHONE["width"], "height": 900})
    page.goto(f"{live_server.url}/partnerships/")
    assert not page.evaluate(SIDEWAYS), "the portfolio scrolls sideways on a phone"


# The page itself must not scroll sideways (wide tables scroll inside their own frame).
SIDEWAYS = "document.documentElement.scrollWidth > window.innerWidth + 1"


def test_empty_install(transactional_db, live_server, page, shoot):
    from tests.factories import make_partnership, make_user

    make_user("newcoo", "Executive")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "newcoo")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    expect(page.locator(".empty")).to_contain_text("No partnerships yet.")
    shoot("empty-portfolio-desktop")
    shoot("empty-portfolio-phone", width=PHONE["width"])
    fresh = make_partnership(title="First conversation with Acme")
    open_dashboard(page, f"{live_server.url}{fresh.get_absolute_url()}")
    expect(page.locator("#panel-kpis-body .empty")).to_contain_text("No KPIs yet")
    expect(page.locator("#panel-trends-body .empty")).to_contain_text("No trends yet")
    shoot("empty-dashboard-desktop")
    shoot("empty-dashboard-phone", width=PHONE["width"])
