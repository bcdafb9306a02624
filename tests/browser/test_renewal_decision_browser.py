"""An executive opens the demo's renewal decision pack from the partnership page, downloads
its PDF and records "renegotiate"."""

from playwright.sync_api import expect
from pypdf import PdfReader

from partnerships.models import Partnership, Stage
from renewals.models import DecisionPack
from renewals.pack import section_sources


def test_an_executive_decides_to_renegotiate_from_the_pack(demo, login, live_server, shoot):
    renewing = Partnership.objects.get(stage=Stage.RENEWAL)
    page = login("coo")
    page.goto(live_server.url + renewing.get_absolute_url())
    page.locator(".header-facts a", has_text="decision pack ready").click()
    expect(page.locator("h1")).to_have_text("Renewal decision")
    expect(page.locator(".pack-loading")).to_have_count(0)
    expect(page.locator(".pack-section")).to_have_count(len(section_sources()))
    kpis = page.locator(".pack-section", has_text="KPIs against their targets")
    expect(kpis).to_contain_text("Periods on track")
    expect(page.locator("#decision")).to_contain_text("Renegotiate: pipeline is on target")
    shoot("renewal-1-pack")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing cut off
    shoot("renewal-1-pack-phone", width=390)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert f"Renewal decision pack: {renewing.title}" in text
    assert "KPIs against their targets" in text

    page.select_option("#id_decision", "renegotiate")
    page.fill("#id_reason", "Tie the revenue share to escalation times before renewing.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".flash-stack")).to_contain_text(
        "Decision recorded: renegotiate. The partnership is Renewal."
    )
    expect(page.locator("#decision h2")).to_have_text("Decided: Renegotiate")
    expect(page.locator("#decision")).to_contain_text("stays in Renewal")
    expect(page.locator(".pack-loading")).to_have_count(0)
    shoot("renewal-2-decided")
    pack = DecisionPack.objects.get(partnership=renewing)
    assert (pack.decision, pack.decided_by.username) == ("renegotiate", "coo")
