import re

from playwright.sync_api import expect

from partnerships.models import Partnership
from tests.browser.conftest import PHONE


def test_coo_lists_filters_and_opens_a_partnership(demo, login, live_server, shoot):
    page = login("coo")
    expect(page).to_have_url(re.compile(r"/partnerships/$"))
    expect(page.locator("#results tbody tr")).to_have_count(Partnership.objects.count())
    shoot("partnerships-list-desktop")
    shoot("partnerships-list-phone", width=PHONE["width"])

    page.select_option("#id_stage", "active")
    expect(page).to_have_url(re.compile(r"stage=active"))
    active = Partnership.objects.filter(stage="active").count()
    expect(page.locator("#results tbody tr")).to_have_count(active)

    page.fill("#id_q", "Fjord")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.click("text=Nordic fulfilment network")
    expect(page.locator("h1")).to_have_text("Nordic fulfilment network")
    expect(page.locator("#objectives tbody tr").first).to_be_visible()
    expect(page.locator("#stage-history")).to_contain_text("Negotiation → Active")
    shoot("partnership-detail-desktop")
    shoot("partnership-detail-phone", width=PHONE["width"])


def test_refused_move_explains_and_ending_is_confirmed(demo, login, live_server, shoot):
    partnership = Partnership.objects.get(title="Recyclable packaging switch")
    page = login("coo")
    page.goto(f"{live_server.url}{partnership.get_absolute_url()}")
    expect(page.locator("#id_to_stage")).to_have_value("")  # nothing chosen for the user
    page.select_option("#id_to_stage", "ended")
    page.fill("#id_reason", "Over")
    page.click("text=Move stage")
    expect(page.locator(".form-errors")).to_contain_text(
        "Ending a partnership needs a reason of a short sentence"
    )
    page.select_option("#id_to_stage", "ended")
    page.fill("#id_reason", "Supplier chose a competitor")
    page.click("text=Move stage")
    expect(page.locator("#confirm-end")).to_contain_text("End Recyclable packaging switch?")
    shoot("stage-end-confirmation")
    page.click("text=End the partnership")
    expect(page.locator(".flash-success")).to_contain_text("Moved to Ended.")
    expect(page.locator("#stage-history")).to_contain_text("Supplier chose a competitor")


def test_viewer_sees_no_edit_controls(demo, login, live_server, shoot):
    page = login("viewer")
    visible = Partnership.objects.filter(team__username="viewer")
    expect(page.locator("#results tbody tr")).to_have_count(visible.count())
    expect(page.locator("text=+ New partnership")).to_have_count(0)
    page.goto(f"{live_server.url}{visible.first().get_absolute_url()}")
    expect(page.locator("text=Edit details")).to_have_count(0)
    expect(page.locator("text=Move stage")).to_have_count(0)
    expect(page.locator("text=+ Objective")).to_have_count(0)
    shoot("partnership-detail-viewer")


def test_empty_install_shows_empty_states(transactional_db, live_server, page, shoot):
    from tests.factories import make_user

    make_user("newcoo", "Executive")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "newcoo")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    expect(page.locator(".empty")).to_contain_text("No partnerships yet.")
    shoot("partnerships-list-empty")
