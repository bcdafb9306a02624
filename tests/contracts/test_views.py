"""The obligations panel and its forms: what each role sees and may do, downloads checked
like evidence, clear form errors, and a constant number of queries per page."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import services
from contracts.models import DocumentVersion, Fulfilment, Obligation, ObligationChange
from partnerships.services import agreement_amend
from tests.factories import make_partnership, make_user

from .conftest import make_obligation, pdf

pytestmark = pytest.mark.django_db


def url(name, partnership, *args):
    return reverse(f"contracts:{name}", args=[partnership.pk, *args])


def test_panel_shows_obligations_documents_and_history(client, agreement, manager, partnership):
    late = make_obligation(agreement, manager, description="Usage figures")
    make_obligation(
        agreement,
        manager,
        party="partner",
        description="Insurance certificate",
        first_due=date(2027, 3, 1),
        recurrence="yearly",
    )
    services.document_add(
        agreement=agreement, title="Signed agreement", kind="signed", file=pdf(), by=manager
    )
    client.force_login(manager)
    html = client.get(url("panel", partnership), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in html
    assert "Usage figures" in html and "Insurance certificate" in html
    assert "Northwind Analytics owes" in html and "We owe" in html
    assert f'id="obligation-{late.pk}" class="ctr-row-late"' in html
    assert "10 overdue" in html  # 31 Jan to 31 Oct 2026, on 18 Nov 2026
    assert "1 Mar 2027" in html and "On track" in html
    assert "Signed agreement" in html and "v1 · contract.pdf" in html
    assert "Added</strong>: Usage figures" in html
    assert url("obligation_create", partnership) in html


def test_the_partnership_page_loads_the_panel(client, agreement, manager, partnership):
    client.force_login(manager)
    html = client.get(partnership.get_absolute_url()).content.decode()
    assert url("panel", partnership) in html
    assert "Contract &amp; obligations" in html


def test_without_an_agreement_the_panel_says_so(client, manager, partnership):
    client.force_login(manager)
    response = client.get(url("panel", partnership))
    assert b"No agreement recorded" in response.content
    assert client.get(url("obligation_create", partnership)).status_code == 404


def test_viewer_reads_and_downloads_but_changes_nothing(
    client, agreement, manager, viewer, partnership
):
    document = services.document_add(
        agreement=agreement, title="Signed", kind="signed", file=pdf(), by=manager
    )
    version = document.versions.get()
    obligation = make_obligation(agreement, manager)
    client.force_login(viewer)
    html = client.get(url("panel", partnership)).content.decode()
    assert "+ Obligation" not in html and "New version" not in html
    download = client.get(url("version_file", partnership, version.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert download["Content-Disposition"].startswith("attachment")
    for name, args in [
        ("obligation_create", ()),
        ("document_create", ()),
        ("version_create", (document.pk,)),
        ("obligation_end", (obligation.pk,)),
        ("fulfil", (obligation.pk,)),
    ]:
        assert client.get(url(name, partnership, *args)).status_code == 403, name
    assert client.post(url("obligation_edit", partnership, obligation.pk), {}).status_code == 403


def test_outsiders_get_404(client, agreement, manager, partnership):
    document = services.document_add(
        agreement=agreement, title="Signed", kind="signed", file=pdf(), by=manager
    )
    stranger = make_user("stranger", "Partner manager")
    client.force_login(stranger)
    assert client.get(url("panel", partnership)).status_code == 404
    version = document.versions.get()
    assert client.get(url("version_file", partnership, version.pk)).status_code == 404
    # A version of this partnership asked for under another one's URL: not found either.
    mine = make_partnership(title="Stranger's own", owner=stranger)
    assert client.get(url("version_file", mine, version.pk)).status_code == 404


def test_upload_a_document_then_a_new_version(client, agreement, manager, partnership):
    client.force_login(manager)
    response = client.post(
        url("document_create", partnership),
        {"title": "Signed agreement", "kind": "signed", "file": pdf("v1.pdf")},
    )
    assert response.status_code == 302
    document = agreement.documents.get()
    response = client.post(
        url("version_create", partnership, document.pk), {"file": pdf("v2.pdf"), "note": "Typo"}
    )
    assert response.status_code == 302
    assert list(DocumentVersion.objects.values_list("number", "original_name")) == [
        (2, "v2.pdf"),
        (1, "v1.pdf"),
    ]


def test_a_bad_file_gets_a_clear_error(client, agreement, manager, partnership):
    client.force_login(manager)
    response = client.post(
        url("document_create", partnership),
        {"title": "Signed", "kind": "signed", "file": pdf("x.pdf", b"hello")},
    )
    assert response.status_code == 422
    assert "does not look like a PDF file" in response.content.decode()
    assert not agreement.documents.exists()


def test_add_change_and_end_an_obligation_under_an_amendment(
    client, agreement, manager, partnership
):
    amendment = agreement_amend(
        agreement=agreement, changes={"value": 9000}, by=manager, reason="Wider scope."
    )
    client.force_login(manager)
    form = {
        "party": "partner",
        "description": "Monthly statement",
        "owner": manager.pk,
        "first_due": "2026-12-31",
        "recurrence": "monthly",
        "ends_on": "",
        "amendment": amendment.pk,
        "note": "",
    }
    assert client.post(url("obligation_create", partnership), form).status_code == 302
    obligation = Obligation.objects.get()
    form.update(recurrence="quarterly", note="Less often.")
    edit = url("obligation_edit", partnership, obligation.pk)
    assert client.post(edit, form).status_code == 302
    response = client.post(
        url("obligation_end", partnership, obligation.pk),
        {"ends_on": "2027-06-30", "amendment": amendment.pk, "note": ""},
    )
    assert response.status_code == 302
    history = ObligationChange.objects.order_by("pk")
    assert [(c.kind, c.amendment_id) for c in history] == [
        ("added", amendment.pk),
        ("changed", amendment.pk),
        ("ended", amendment.pk),
    ]
    html = client.get(url("panel", partnership)).content.decode()
    assert "under the amendment of" in html and "Less often." in html


def test_obligation_form_errors(client, agreement, manager, partnership):
    client.force_login(manager)
    response = client.post(
        url("obligation_create", partnership),
        {
            "party": "ours",
            "description": "",
            "first_due": "2026-12-31",
            "recurrence": "monthly",
            "ends_on": "2026-01-01",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "This field is required." in html
    assert "cannot end before it is first due" in html
    assert not Obligation.objects.exists()


def test_record_an_occurrence_kept_with_a_file_then_undo(client, agreement, manager, partnership):
    obligation = make_obligation(agreement, manager, first_due=date(2026, 11, 30))
    client.force_login(manager)
    page = client.get(url("fulfil", partnership, obligation.pk)).content.decode()
    assert "Due 30 Nov 2026" in page
    response = client.post(
        url("fulfil", partnership, obligation.pk),
        {"due_date": "2026-11-30", "fulfilled_on": "2026-11-17", "note": "", "file": pdf("r.pdf")},
    )
    assert response.status_code == 302
    fulfilment = Fulfilment.objects.get()
    assert fulfilment.original_name == "r.pdf"
    download = client.get(url("fulfilment_file", partnership, fulfilment.pk))
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert client.post(url("fulfilment_reopen", partnership, fulfilment.pk)).status_code == 302
    assert not Fulfilment.objects.exists()


def test_keeping_needs_evidence(client, agreement, manager, partnership):
    obligation = make_obligation(agreement, manager, first_due=date(2026, 11, 30))
    client.force_login(manager)
    response = client.post(
        url("fulfil", partnership, obligation.pk),
        {"due_date": "2026-11-30", "fulfilled_on": "2026-11-17", "note": ""},
    )
    assert response.status_code == 422
    assert "Give the evidence" in response.content.decode()


def _populate(agreement, manager, n):
    for i in range(n):
        obligation = make_obligation(agreement, manager, description=f"Duty {i}")
        services.occurrence_fulfil(
            obligation=obligation, due_date=date(2026, 1, 31), by=manager, note="ok"
        )
        document = services.document_add(
            agreement=agreement, title=f"Doc {i}", kind="annex", file=pdf(), by=manager
        )
        services.document_version_add(document=document, file=pdf(), by=manager)


def _count(client, path, headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    assert response.status_code == 200
    return len(queries)


PAGES = [("panel", True), ("panel", False), ("obligation_edit", False), ("fulfil", False)]


@pytest.mark.parametrize(("name", "htmx"), PAGES)
def test_pages_run_a_constant_number_of_queries(
    client, agreement, manager, partnership, name, htmx, django_assert_max_num_queries
):
    client.force_login(manager)
    headers = {"HX-Request": "true"} if htmx else {}
    counts = []
    for n in (3, 30):
        _populate(agreement, manager, n if not counts else n - 3)
        first = Obligation.objects.order_by("pk").first()
        args = () if name == "panel" else (first.pk,)
        with django_assert_max_num_queries(15):
            counts.append(_count(client, url(name, partnership, *args), headers))
    assert counts[0] == counts[1], counts


def test_forms_run_a_bounded_number_of_queries(
    client, agreement, manager, partnership, django_assert_max_num_queries
):
    _populate(agreement, manager, 10)
    client.force_login(manager)
    document = agreement.documents.first()
    obligation = Obligation.objects.first()
    for path in [
        url("document_create", partnership),
        url("version_create", partnership, document.pk),
        url("obligation_create", partnership),
        url("obligation_end", partnership, obligation.pk),
    ]:
        with django_assert_max_num_queries(15):
            assert client.get(path).status_code == 200, path


def test_the_partnership_timeline_shows_obligation_and_document_history(
    client, agreement, manager, partnership
):
    obligation = make_obligation(agreement, manager, description="Usage figures")
    services.obligation_end(obligation=obligation, by=manager, note="Dropped in the renewal.")
    services.document_add(
        agreement=agreement, title="Signed agreement", kind="signed", file=pdf(), by=manager
    )
    client.force_login(manager)
    html = client.get(reverse("partnerships:timeline", args=[partnership.pk])).content.decode()
    assert "Added: Usage figures" in html
    assert "Ended: Usage figures" in html and "Dropped in the renewal." in html
    assert "Signed agreement (version 1) uploaded" in html
