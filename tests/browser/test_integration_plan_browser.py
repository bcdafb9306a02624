"""The integration plan as a partner manager builds it: a workstream, two dependent
milestones, one marked done; and the demo's plans drawn at desktop and phone widths."""

from playwright.sync_api import expect

from tests.browser.conftest import PHONE

PANEL = "#panel-integration-body"


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def _row(page, title):
    return page.locator(f"{PANEL} li").filter(has=page.locator(f"strong:text-is('{title}')"))


def _add_milestone(page, title, due, depends_on=None):
    page.locator(PANEL).get_by_role("link", name="+ Milestone").click()
    page.fill("#id_title", title)
    page.fill("#id_due_date", due)
    page.select_option("#id_owner", label="Pat Lee")
    if depends_on:
        page.get_by_label(depends_on, exact=False).check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(PANEL)).to_contain_text(title)


def test_manager_builds_a_workstream_with_two_dependent_milestones(
    transactional_db, live_server, page, shoot
):
    from tests.factories import make_partnership, make_user

    pm = make_user("pat", "Partner manager", first_name="Pat", last_name="Lee")
    partnership = make_partnership(title="Data alliance with Acme", owner=pm)
    partnership.team.add(pm)
    _sign_in(page, live_server, "pat")
    page.goto(f"{live_server.url}{partnership.get_absolute_url()}")
    expect(page.locator(PANEL)).to_contain_text("No integration plan yet.")
    page.locator(PANEL).get_by_role("link", name="+ Workstream").click()
    page.select_option("#id_kind", label="Systems and data")
    page.fill("#id_title", "Data exchange")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(PANEL)).to_contain_text("Data exchange")

    _add_milestone(page, "Interfaces specified", "2026-12-01")
    _add_milestone(page, "Integration tested", "2026-12-20", depends_on="Interfaces specified")
    tested = _row(page, "Integration tested")
    expect(tested).to_contain_text("after Interfaces specified")
    expect(page.locator(f"{PANEL} .int-gantt-wide .g-m")).to_have_count(2)

    # Done before what it depends on: refused without a reason.
    tested.get_by_role("link", name="Mark done").click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#field-override_reason")).to_contain_text("Give a reason")
    page.get_by_role("link", name="Cancel").click()

    first = _row(page, "Interfaces specified")
    first.get_by_role("link", name="Mark done").click()
    page.get_by_role("button", name="Save").click()
    expect(first).to_contain_text("Done")
    expect(page.locator(f"{PANEL} .int-gantt-wide .g-m.is-done")).to_have_count(1)
    shoot("integration-journey-desktop")


def test_demo_plans_at_desktop_and_phone(demo, login, live_server, page):
    from integration.selectors import slipped
    from partnerships.models import Partnership

    page = login("coo")
    late = slipped_partnership(slipped, Partnership)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}{late.get_absolute_url()}")
    panel = page.locator("#panel-integration")
    expect(panel.locator(".int-gantt-wide .g-m.is-slipped").first).to_be_visible()
    expect(panel.locator(".int-gantt-wide .g-m.is-critical").first).to_be_visible()
    # The page's sticky section menu would sit over the panel in a picture of the panel alone.
    page.add_style_tag(content=".section-nav { position: static; }")
    panel.screenshot(path="/tmp/integration-panel-1440.png")
    page.set_viewport_size({"width": PHONE["width"], "height": 900})
    expect(panel.locator(".int-gantt-narrow .g-m.is-slipped").first).to_be_visible()
    expect(panel.locator(".int-gantt-wide")).to_be_hidden()
    panel.screenshot(path="/tmp/integration-panel-390.png")
    # Nothing sticks out of the panel on a phone: the timeline scrolls inside its own box.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]


def slipped_partnership(slipped, Partnership):
    from django.utils import timezone

    ids = slipped(timezone.localdate()).values("workstream__partnership")
    return Partnership.objects.filter(pk__in=ids).order_by("title").first()
