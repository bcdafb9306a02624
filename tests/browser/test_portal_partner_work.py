"""The rest of the partner journey of issue 14, on seed_demo data: the partner answers a
questionnaire item with a file and closes an action item; our owner then sees both on the
partnership page. Screenshots of each new page go to artifacts/screenshots/."""

from playwright.sync_api import expect

from governance import services as governance
from governance.models import ActionItem, Evidence
from partnerships.models import Partnership
from portal.models import PartnershipAccess, PartnerUser
from tests.browser.conftest import SCREENSHOTS
from tests.factories import make_partnership

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def test_partner_answers_the_questionnaire_and_closes_an_action(
    demo, login, live_server, shoot, page
):
    current = Partnership.objects.get(title="Joint AI insights offering")
    action = ActionItem.objects.get(partnership=current, title="Confirm the joint webinar speakers")
    # A second partnership with Northwind, in due diligence, given to Hannah; our owner sends
    # one checklist item to the partner's questionnaire from the partnership page.
    partnership = make_partnership(
        partner=current.partner,
        title="Northwind data clean room",
        owner=current.owner,
        stage="due_diligence",
    )
    partnership.team.add(current.owner)
    checklist = governance.checklist_start(partnership=partnership, by=current.owner)
    item = checklist.items.order_by("section", "order", "pk").first()
    PartnershipAccess.objects.create(
        partner_user=PartnerUser.objects.get(user__username="hannah"), partnership=partnership
    )
    login("manager")
    page.goto(f"{live_server.url}{partnership.get_absolute_url()}")
    panel = page.locator("#panel-partner-work-body")
    panel.locator("#send-question").select_option(value=str(item.pk))
    panel.locator("button", has_text="Send to the questionnaire").click()
    expect(page.locator(".flash")).to_contain_text("questionnaire")
    page.locator("form[action$='/accounts/logout/'] button").click()

    login("hannah")
    page.goto(f"{live_server.url}/portal/partnerships/{partnership.pk}/questionnaire/")
    card = page.locator(f"#item-{item.pk}")
    expect(card).to_contain_text("Waiting on you")
    shoot("portal-9-questionnaire")
    # A file that is not what it says first: refused with the evidence rules.
    card.locator("textarea").fill("Our DPO signs the data processing agreement.")
    card.locator("input[type=file]").set_input_files(
        files=[{"name": "dpa.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf"}]
    )
    card.locator("button", has_text="Send the answer").click()
    card = page.locator(f"#item-{item.pk}")
    expect(card.locator(".errorlist")).to_contain_text("does not look like a PDF file")
    expect(card.locator("textarea")).to_have_value("Our DPO signs the data processing agreement.")
    shoot("portal-10-questionnaire-error")
    card.locator("input[type=file]").set_input_files(
        files=[{"name": "dpa.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    card.locator("button", has_text="Send the answer").click()
    expect(page.locator(".flash")).to_contain_text("Answer sent")
    expect(page.locator(f"#item-{item.pk}")).to_contain_text("Waiting on our reviewer")
    assert Evidence.objects.filter(item=item, original_name="dpa.pdf").exists()

    page.goto(f"{live_server.url}/portal/actions/")
    row = page.locator(f"#item-{action.pk}")
    row.locator("select").select_option("done")
    row.locator("input[name=note]").fill("Both speakers confirmed for the 12th.")
    shoot("portal-11-actions")
    row.locator("button", has_text="Save").click()
    expect(page.locator(".flash")).to_contain_text("Status saved: done")
    action.refresh_from_db()
    assert action.status == "done"

    page.goto(f"{live_server.url}/portal/partnerships/{current.pk}/health-check/")
    expect(page.locator("h1")).to_contain_text("Joint health check")
    shoot("portal-12-health-check")
    page.goto(f"{live_server.url}/portal/partnerships/{current.pk}/ledger/")
    expect(page.locator("#ledger-balance svg[role=img]")).to_be_visible()
    shoot("portal-13-ledger")
    page.locator("form[action$='/accounts/logout/'] button").click()

    # Our owner sees the answer and the closed action on the partnership page.
    login("manager")
    page.goto(f"{live_server.url}{partnership.get_absolute_url()}")
    panel = page.locator("#panel-partner-work-body")
    expect(panel.locator(f"#question-{item.pk}")).to_contain_text("waiting on our reviewer")
    expect(panel.locator(f"#question-{item.pk}")).to_contain_text("Our DPO signs")
    page.goto(f"{live_server.url}{current.get_absolute_url()}")
    panel = page.locator("#panel-partner-work-body")
    expect(panel.locator(f"#partner-item-{action.pk}")).to_contain_text("Done")
    expect(panel.locator(f"#partner-item-{action.pk}")).to_contain_text("Both speakers confirmed")
    panel.screenshot(path=str(SCREENSHOTS / "portal-14-owner-partner-side.png"))
    page.goto(f"{live_server.url}/partner-access/partnership/{current.pk}/health-check/")
    expect(page.locator("#comparison svg[role=img]")).to_be_visible()
    shoot("portal-15-owner-health-check")
    page.goto(f"{live_server.url}/partner-access/partnership/{current.pk}/ledger/")
    shoot("portal-16-owner-ledger")
