"""The decision pack's page, PDF and forms, for each role."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from contracts.models import Fulfilment, Obligation, Party, Recurrence
from contracts.occurrences import due_dates
from governance.models import Risk
from kpis.snapshots import recompute
from partnerships.models import Stage
from portal.models import LedgerEntry
from renewals import services
from renewals.models import Decision
from renewals.pack import section_sources
from tests.conftest import client_for
from tests.kpis.conftest import measure

pytestmark = pytest.mark.django_db


def _url(name, partnership):
    return reverse(f"renewals:{name}", args=[partnership.pk])


def test_an_executive_assembles_a_pack_others_cannot(client, renewing, coo, manager):
    as_manager = client_for(client, manager)
    page = as_manager.get(_url("pack", renewing))
    assert page.status_code == 200 and "No decision pack yet." in page.text
    assert "Assemble a decision pack" not in page.text
    assert as_manager.post(_url("pack_open", renewing)).status_code == 403
    as_coo = client_for(client, coo)
    response = as_coo.post(_url("pack_open", renewing), follow=True)
    assert "Decision pack assembled" in response.text
    assert "Record the decision" in response.text


def test_the_owner_recommends_and_the_executive_decides(client, renewing, coo, manager):
    services.open_pack(renewing, by=coo)
    as_manager = client_for(client, manager)
    bad = as_manager.post(_url("pack_recommend", renewing), {"recommendation": "renew"})
    assert bad.status_code == 422 and "a sentence at least" in bad.text
    as_manager.post(
        _url("pack_recommend", renewing),
        {"recommendation": "Renegotiate the revenue share before renewing."},
    )
    assert as_manager.post(_url("pack_decide", renewing), {}).status_code == 403
    as_coo = client_for(client, coo)
    bad = as_coo.post(_url("pack_decide", renewing), {"decision": "renegotiate", "reason": "x"})
    assert bad.status_code == 422 and "Say why in a sentence" in bad.text
    done = as_coo.post(
        _url("pack_decide", renewing),
        {"decision": "exit", "reason": "The partner's market moved away from ours."},
        follow=True,
    )
    assert "Decision recorded: exit. The partnership is Ended." in done.text
    renewing.refresh_from_db()
    assert renewing.stage == Stage.ENDED
    detail = as_coo.get(renewing.get_absolute_url()).text
    assert "decided: exit" in detail


def test_the_pdf_has_the_title_and_the_kpi_table(client, renewing, coo):
    services.open_pack(renewing, by=coo)
    response = client_for(client, coo).get(_url("pack_pdf", renewing))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="decision-pack-')
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert f"Renewal decision pack: {renewing.title}" in text
    assert "KPIs against their targets" in text and "Joint pipeline" in text
    assert "LATEST TARGET STATUS PERIODS" in text


def test_the_pdf_reads_the_same_queries_for_a_short_and_a_long_history(
    client, renewing, coo, django_assert_max_num_queries
):
    services.open_pack(renewing, by=coo)
    as_coo = client_for(client, coo)
    with django_assert_max_num_queries(25) as short:
        as_coo.get(_url("pack_pdf", renewing))
    kpi = renewing.kpis.get()
    for months_back in range(13, 37):
        day = timezone.localdate().replace(day=1) - timedelta(days=31 * months_back)
        measure(kpi, day.replace(day=1), 95)
    recompute(partnership_ids=[renewing.pk])
    with django_assert_max_num_queries(len(short)):
        as_coo.get(_url("pack_pdf", renewing))


def test_the_packs_figures_are_the_pages_figures(client, renewing, coo, manager):
    Risk.objects.create(
        partnership=renewing, title="Price rise", category="financial", likelihood=5, impact=5
    )
    LedgerEntry.objects.create(
        partnership=renewing,
        delivered_by="partner",
        kind=LedgerEntry.Kind.REVENUE,
        amount=Decimal("120000"),
        description="Joint deals",
        occurred_on=timezone.localdate(),
        entered_side="ours",
        state=LedgerEntry.State.CONFIRMED,
    )
    as_coo = client_for(client, coo)
    sections = {}
    for source in section_sources():
        url = reverse("renewals:pack_section", args=[renewing.pk, source.key])
        (section,) = as_coo.get(url).context["assembled"].sections
        sections[section.title] = section
    kpis_panel = as_coo.get(reverse("kpis:partnership_kpis", args=[renewing.pk])).text
    for name, latest, target, *_ in sections["KPIs against their targets"].table.rows:
        assert name in kpis_panel and latest in kpis_panel and target in kpis_panel
    detail = as_coo.get(renewing.get_absolute_url()).text
    score, band = dict(sections["Health"].figures)["Health now"].rstrip(")").split(" (")
    assert f"{score} · {band}" in detail
    risks_page = as_coo.get(reverse("governance:risks", kwargs={"pk": renewing.pk})).text
    assert "Price rise" in risks_page and dict(sections["Risks"].figures)["Open risks"] == "1"
    ledger_page = as_coo.get(reverse("partner_access:ledger", args=[renewing.pk])).text
    assert dict(sections["Value ledger"].figures)["Net, to us"] == "120,000 EUR"
    assert "120,000" in ledger_page


def test_the_pack_page_reads_a_bounded_number_of_queries(
    client, renewing, coo, django_assert_max_num_queries
):
    pack, _ = services.open_pack(renewing, by=coo)
    services.decide(pack, decision=Decision.RENEW, reason="Targets met all year.", by=coo)
    services.open_pack(renewing, by=coo)
    as_coo = client_for(client, coo)
    as_coo.get(_url("pack", renewing))
    with django_assert_max_num_queries(15):
        assert as_coo.get(_url("pack", renewing)).status_code == 200
    # Each section loads on its own, within the same budget.
    for source in section_sources():
        url = reverse("renewals:pack_section", args=[renewing.pk, source.key])
        with django_assert_max_num_queries(15):
            assert as_coo.get(url).status_code == 200
    missing = reverse("renewals:pack_section", args=[renewing.pk, "nope"])
    assert as_coo.get(missing).status_code == 404


def test_a_viewer_reads_the_pack_but_cannot_act(client, renewing, coo, viewer):
    services.open_pack(renewing, by=coo)
    page = client_for(client, viewer).get(_url("pack", renewing))
    assert page.status_code == 200 and "An executive records the decision." in page.text
    assert "Save recommendation" not in page.text


def test_obligations_kept_late_and_missed_by_each_side(client, renewing, coo):
    today = timezone.localdate()
    ours = Obligation.objects.create(
        partnership=renewing,
        agreement=renewing.agreement,
        party=Party.OURS,
        description="Quarterly pipeline report",
        owner=coo,
        first_due=today - timedelta(days=200),
        recurrence=Recurrence.QUARTERLY,
    )
    theirs = Obligation.objects.create(
        partnership=renewing,
        agreement=renewing.agreement,
        party=Party.PARTNER,
        description="Annual certification",
        owner=coo,
        first_due=today - timedelta(days=10),
        recurrence=Recurrence.ONE_OFF,
    )
    first, second, third = due_dates(ours.first_due, ours.recurrence, until=today)
    Fulfilment.objects.create(obligation=ours, due_date=first, fulfilled_on=first)
    late = second + timedelta(days=5)
    Fulfilment.objects.create(obligation=ours, due_date=second, fulfilled_on=late)
    url = reverse("renewals:pack_section", args=[renewing.pk, "contracts.obligations"])
    (section,) = client_for(client, coo).get(url).context["assembled"].sections
    # Ours: on time, late, and the third (due before today) missed; theirs: missed.
    assert third < today
    assert dict(section.figures) == {"Kept on time": "1", "Kept late": "1", "Missed": "2"}
    assert section.table.rows == [["Our side", "2", "1", "1"], ["Partner", "0", "0", "1"]]
    due = theirs.first_due
    assert section.lines[0] == f"Missed: Partner, Annual certification, due {due:%-d %b %Y}"


def test_a_section_opened_on_its_own_is_a_page(client, renewing, coo):
    url = reverse("renewals:pack_section", args=[renewing.pk, "kpis.history"])
    as_coo = client_for(client, coo)
    page = as_coo.get(url).text
    assert page.startswith("<!doctype html>") and "<h1>KPIs against their targets</h1>" in page
    fragment = as_coo.get(url, headers={"HX-Request": "true"}).text
    assert (
        not fragment.lstrip().startswith("<!doctype") and "KPIs against their targets" in fragment
    )
