"""Documents keep every version; obligations keep their history, amendments included;
occurrences are kept once each, in the company's time zone."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from contracts import selectors, services
from contracts.models import Document, Fulfilment, Obligation, ObligationChange
from partnerships.services import agreement_amend

from .conftest import make_agreement, make_obligation, pdf

pytestmark = pytest.mark.django_db


def test_a_new_upload_is_a_new_version_and_the_old_one_stays(agreement, manager):
    document = services.document_add(
        agreement=agreement, title="Signed agreement", kind="signed", file=pdf("v1.pdf"), by=manager
    )
    services.document_version_add(document=document, file=pdf("v2.pdf"), by=manager, note="Fix")
    versions = list(document.versions.order_by("number"))
    assert [(v.number, v.original_name) for v in versions] == [(1, "v1.pdf"), (2, "v2.pdf")]
    for version in versions:
        with version.file.open("rb") as handle:
            assert handle.read().startswith(b"%PDF-")
    assert versions[0].file.name != versions[1].file.name


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("contract.exe", b"MZ...", "file_type"),
        ("contract.pdf", b"not a pdf", "file_content"),
        ("contract.pdf", b"", "file_empty"),
    ],
)
def test_documents_get_the_evidence_checks(agreement, manager, name, content, code):
    with pytest.raises(ValidationError) as error:
        services.document_add(
            agreement=agreement, title="X", kind="signed", file=pdf(name, content), by=manager
        )
    assert error.value.code == code
    assert not Document.objects.exists()  # nothing half-written


def test_documents_get_the_evidence_size_limit(agreement, manager, settings):
    settings.GOVERNANCE_EVIDENCE_MAX_BYTES = 20
    with pytest.raises(ValidationError, match="at most"):
        services.document_add(agreement=agreement, title="X", kind="signed", file=pdf(), by=manager)


def test_amendments_add_change_and_end_obligations_with_history(agreement, manager):
    amendment = agreement_amend(
        agreement=agreement, changes={"value": 5000}, by=manager, reason="Second product line."
    )
    obligation = make_obligation(agreement, manager, amendment=amendment, note="New line.")
    services.obligation_change(
        obligation=obligation, by=manager, amendment=amendment, recurrence="quarterly"
    )
    services.obligation_end(
        obligation=obligation, by=manager, ends_on=date(2026, 12, 31), note="Ended"
    )
    history = list(ObligationChange.objects.order_by("pk"))
    assert [h.kind for h in history] == ["added", "changed", "ended"]
    assert [h.amendment_id for h in history] == [amendment.pk, amendment.pk, None]
    assert history[1].before["recurrence"] == "monthly"
    assert history[1].after["recurrence"] == "quarterly"
    assert history[2].after["status"] == "ended"
    assert history[2].after["ends_on"] == "2026-12-31"


def test_an_amendment_of_another_agreement_is_refused(agreement, manager, other_manager):
    from tests.factories import make_partnership

    other = make_agreement(make_partnership(title="Other"))
    amendment = agreement_amend(agreement=other, changes={"value": 1}, by=manager, reason="R")
    with pytest.raises(ValidationError):
        make_obligation(agreement, manager, amendment=amendment)
    assert not Obligation.objects.exists()


def test_a_change_that_changes_nothing_is_refused(obligation, manager):
    with pytest.raises(ValidationError, match="nothing changed"):
        services.obligation_change(obligation=obligation, by=manager, recurrence="monthly")


def test_each_occurrence_is_kept_once_and_only_on_a_due_date(obligation, manager):
    services.occurrence_fulfil(
        obligation=obligation, due_date=date(2026, 2, 28), by=manager, note="Sent."
    )
    with pytest.raises(ValidationError, match="already"):
        services.occurrence_fulfil(
            obligation=obligation, due_date=date(2026, 2, 28), by=manager, note="Again."
        )
    with pytest.raises(ValidationError, match="not due on that date"):
        services.occurrence_fulfil(
            obligation=obligation, due_date=date(2026, 2, 27), by=manager, note="Wrong day."
        )
    assert Fulfilment.objects.count() == 1


def test_overdue_and_kept_occurrences(obligation, manager):
    # On 18 Nov 2026, Jan to Sep kept: 31 Oct is late, 30 Nov due soon.
    for month in range(1, 10):
        due = selectors.open_occurrences(
            selectors.with_fulfilled(Obligation.objects.filter(pk=obligation.pk)).get(),
            date(2026, 11, 18),
        )[0].due_date
        assert due.month == month
        services.occurrence_fulfil(obligation=obligation, due_date=due, by=manager, note="ok")
    fresh = selectors.with_fulfilled(Obligation.objects.filter(pk=obligation.pk)).get()
    label, tone, overdue, upcoming = selectors.standing(fresh, date(2026, 11, 18))
    assert (label, tone, overdue) == ("Late", "red", 1)  # 31 October is late
    assert upcoming == date(2026, 10, 31)


def test_overdue_turns_at_the_company_midnight(agreement, manager, settings, clock):
    obligation = make_obligation(
        agreement, manager, first_due=date(2027, 6, 30), recurrence="one_off"
    )
    settings.TIME_ZONE = "Europe/London"
    clock.move_to("2027-06-30T22:59:00+00:00")  # 23:59 in London: due today, not late
    from contracts.occurrences import company_today

    fresh = selectors.with_fulfilled(Obligation.objects.filter(pk=obligation.pk)).get()
    assert selectors.standing(fresh, company_today())[0] == "Due soon"
    clock.move_to("2027-06-30T23:01:00+00:00")  # 00:01 on 1 July in London: late
    assert selectors.standing(fresh, company_today())[0] == "Late"
