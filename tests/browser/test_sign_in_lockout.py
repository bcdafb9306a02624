"""The sign-in page after too many wrong passwords: the form stays, with a sentence saying why
the right password is refused and for how long."""

from playwright.sync_api import expect

from tests.factories import make_user


def test_a_locked_out_sign_in_says_why_and_for_how_long(transactional_db, live_server, page, shoot):
    make_user("manager", "Partner manager")
    page.goto(f"{live_server.url}/accounts/login/")
    for n in range(6):
        page.fill("#id_username", "manager")
        page.fill("#id_password", f"guess-{n}")
        page.click("button[type=submit]")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Too many failed sign-ins")
    expect(alert).to_contain_text("15 minutes")
    expect(page.locator("#id_password")).to_be_visible()
    shoot("sign-in-locked-out")
