"""The partner portal journey of issue 14, on seed_demo data, with screenshots of every portal
page (artifacts/screenshots/, a CI artifact, not committed)."""

import re

from playwright.sync_api import expect

from kpis import periods
from outbox.models import Message
from partnerships.models import Partnership
from portal import access
from portal.models import ObjectiveAgreement, Submission
from tests.browser.conftest import SCREENSHOTS

PASSWORD = "a-long-portal-pass-7"


def test_partner_accepts_an_invitation_enters_values_and_agrees(
    demo, login, live_server, shoot, page
):
    partnership = Partnership.objects.get(title="Joint AI insights offering")
    contact = partnership.partner.contacts.get(name="Tom Reyes")

    # Our owner invites Tom from the partnership page.
    login("manager")
    page.goto(f"{live_server.url}{partnership.get_absolute_url()}")
    panel = page.locator("#panel-portal-body")
    expect(panel).to_be_visible()
    panel.locator("#invite-contact").select_option(value=str(contact.pk))
    panel.locator("text=Invite to the portal").click()
    expect(page.locator(".flash")).to_contain_text("Invitation emailed to Tom Reyes")
    page.locator("form[action$='/accounts/logout/'] button").click()

    # Tom follows the link from the email, sets a password and lands in the portal.
    text = Message.objects.get(recipient=contact.email).text
    link = re.search(r"https?://\S+/portal/invitation/\S+/", text).group(0)
    page.goto(live_server.url + link[link.index("/portal/") :])
    expect(page.locator("h1")).to_contain_text("Welcome, Tom Reyes")
    shoot("portal-1-accept")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.locator("text=Set my password").click()
    expect(page.locator(".brand")).to_contain_text("Northwind Analytics")
    page.locator("form[action$='/accounts/logout/'] button").click()

    # He signs in again like anyone else and sees only his partnership.
    login(contact.email.lower(), PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/portal/")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(partnership.title)
    expect(page.locator("nav.mainnav")).not_to_contain_text("Strategic goals")
    shoot("portal-2-home")
    assert page.goto(f"{live_server.url}/partnerships/").status == 404

    page.goto(f"{live_server.url}/portal/partnerships/{partnership.pk}/")
    expect(page.locator("#scorecard .kpi-card").first).to_be_visible()
    expect(page.locator("#trends canvas").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    shoot("portal-3-scorecard")

    # A bad cell and a good one, in the same grid as ours.
    kpi = (
        access.enterable_kpis([partnership.pk]).filter(partner_values_need_acceptance=True).first()
    )
    current = kpi.current_period()
    earlier = periods.previous_period(current, kpi.frequency)
    page.goto(f"{live_server.url}/portal/entry/")
    bad = page.locator(f"#cell-{kpi.pk}-{earlier:%Y-%m-%d} input[type=text]")
    bad.fill("12,34,5x")
    bad.press("Tab")
    expect(page.locator(f"#cell-{kpi.pk}-{earlier:%Y-%m-%d} .cell-error")).to_be_visible()
    good = page.locator(f"#cell-{kpi.pk}-{current:%Y-%m-%d} input[type=text]")
    good.fill("")
    good.fill(str(int(kpi.target)))
    good.press("Tab")
    # The cell may already say "awaiting acceptance" (the demo's own pending value): wait for
    # the one just sent, not for the note.
    sent = Submission.objects.filter(kpi=kpi, period=current, state="pending", value=kpi.target)
    for _ in range(100):
        if sent.exists():
            break
        page.wait_for_timeout(100)
    expect(page.locator(f"#cell-{kpi.pk}-{current:%Y-%m-%d} .cell-note")).to_be_visible()
    shoot("portal-4-entry")
    waiting = Submission.objects.get(kpi=kpi, period=current, state="pending")
    assert waiting.value == kpi.target

    page.goto(f"{live_server.url}/portal/submissions/")
    expect(page.locator("main table")).to_contain_text("Rejected")
    shoot("portal-5-submissions")

    # He agrees an objective his side has not agreed yet.
    objective = (
        partnership.objectives.exclude(agreement__partner_at__isnull=False).order_by("pk").first()
    )
    page.goto(f"{live_server.url}/portal/partnerships/{partnership.pk}/objectives/")
    shoot("portal-6-objectives")
    page.locator(f"#objective-{objective.pk} button", has_text="Agree this objective").click()
    expect(page.locator(".flash")).to_contain_text(f"You agreed “{objective.title}”")
    assert ObjectiveAgreement.objects.get(objective=objective).partner_at is not None
    page.locator("form[action$='/accounts/logout/'] button").click()

    # Our owner sees both on the partnership page.
    login("manager")
    page.goto(f"{live_server.url}{partnership.get_absolute_url()}")
    panel = page.locator("#panel-portal-body")
    expect(panel.locator(f"#unagreed-{objective.pk}")).to_contain_text("Waiting on us")
    expect(panel.locator(f"#pending-{waiting.pk}")).to_contain_text(kpi.name)
    expect(panel).to_contain_text("Tom Reyes")
    panel.screenshot(path=str(SCREENSHOTS / "portal-7-owner-panel.png"))
    panel.locator(f"#pending-{waiting.pk} button", has_text="Accept").click()
    expect(page.locator(".flash")).to_contain_text("the partner's value now counts")
    page.goto(f"{live_server.url}/partner-access/partnership/{partnership.pk}/kpis/")
    shoot("portal-8-shared-kpis")
