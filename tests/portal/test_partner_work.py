"""The questionnaire, the joint health check and the value ledger, from both sides."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from governance.models import Checklist, ChecklistItem, Evidence
from portal import healthchecks, ledger
from portal.models import HealthCheck, LedgerEntry

PDF = b"%PDF-1.4\n% evidence\n"
SCORES = {"trust": "4", "communication": "2", "value": "5", "fairness": "3", "alignment": "4"}


@pytest.fixture
def question(world):
    checklist, _ = Checklist.objects.get_or_create(partnership=world["a"])
    return ChecklistItem.objects.create(
        checklist=checklist,
        section="legal",
        question="Do you hold ISO 27001?",
        answered_by_partner=True,
    )


def test_partner_answers_with_a_file_and_our_reviewer_decides(client, world, question, manager):
    client.force_login(world["pa"].user)
    url = reverse("portal:questionnaire_answer", args=[question.pk])
    upload = SimpleUploadedFile("iso.pdf", PDF, content_type="application/pdf")
    assert client.post(url, {"answer": "Yes, since 2021.", "file": upload}).status_code == 302
    question.refresh_from_db()
    assert question.partner_answer.answer == "Yes, since 2021."
    assert question.status == "in_progress"  # not passed: our reviewer decides
    assert Evidence.objects.get(item=question).original_name == "iso.pdf"
    page = client.get(reverse("portal:questionnaire", args=[world["a"].pk])).content.decode()
    assert "Waiting on our reviewer" in page and "iso.pdf" in page
    client.force_login(manager)
    panel = client.get(reverse("partner_access:work_panel", args=[world["a"].pk]))
    assert "Yes, since 2021." in panel.content.decode()
    assert "waiting on our reviewer" in panel.content.decode()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("tool.exe", b"MZ...", "is not an allowed file type"),
        ("fake.pdf", b"hello", "does not look like a PDF file"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_bad_files_are_refused_with_the_evidence_rules(
    client, world, question, name, content, message
):
    client.force_login(world["pa"].user)
    url = reverse("portal:questionnaire_answer", args=[question.pk])
    upload = SimpleUploadedFile(name, content)
    response = client.post(url, {"answer": "See file", "file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.filter(item=question).exists()


def test_an_empty_answer_and_a_decided_item(client, world, question):
    client.force_login(world["pa"].user)
    url = reverse("portal:questionnaire_answer", args=[question.pk])
    response = client.post(url, {"answer": "  "})
    assert response.status_code == 400
    assert "Write an answer before sending it." in response.content.decode()
    ChecklistItem.objects.filter(pk=question.pk).update(status="passed")
    assert client.post(url, {"answer": "Late"}).status_code == 403


def test_health_check_validation_and_gaps(client, world, manager):
    client.force_login(world["pa"].user)
    url = reverse("portal:healthcheck", args=[world["a"].pk])
    bad = client.post(url, {**SCORES, "trust": "7", "value": "x"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Trust: “7” is not a score; use a whole number from 1 to 5." in text
    assert "Value received: “x” is not a score" in text
    assert not HealthCheck.objects.exists()
    assert client.post(url, SCORES).status_code == 302
    client.force_login(manager)
    ours = {**SCORES, "communication": "5", "communication_comment": "Weekly calls work well"}
    url = reverse("partner_access:healthcheck", args=[world["a"].pk])
    assert client.post(url, ours).status_code == 302
    latest = healthchecks.comparison(world["a"])[0]
    assert [r["field"] for r in latest["flagged"]] == ["communication"]
    page = client.get(url).content.decode()
    assert "A gap of 2 or more on communication" in page and "<svg" in page


@pytest.mark.parametrize(
    "amount, message",
    [
        ("", "is not an amount"),
        ("ten", "“ten” is not an amount"),
        ("-5", "must be more than zero"),
        ("1.234", "at most two decimal places"),
        ("1e12", "too large"),
    ],
)
def test_ledger_refuses_bad_amounts(client, world, amount, message):
    client.force_login(world["pa"].user)
    url = reverse("portal:ledger", args=[world["a"].pk])
    data = {
        "delivered_by": "partner",
        "kind": "revenue",
        "amount": amount,
        "description": "Referral",
        "occurred_on": timezone.localdate().isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not LedgerEntry.objects.filter(partnership=world["a"]).exists()


def test_ledger_entry_is_confirmed_by_the_other_side(client, world, manager):
    client.force_login(world["pa"].user)
    data = {
        "delivered_by": "partner",
        "kind": "revenue",
        "amount": "12500",
        "description": "Referral of Acme",
        "occurred_on": timezone.localdate().isoformat(),
    }
    assert client.post(reverse("portal:ledger", args=[world["a"].pk]), data).status_code == 302
    entry = LedgerEntry.objects.get(partnership=world["a"])
    # Not by the side that entered it.
    assert client.post(reverse("portal:ledger_decide", args=[entry.pk])).status_code == 403
    client.force_login(manager)
    url = reverse("partner_access:ledger_decide", args=[world["a"].pk, entry.pk])
    assert client.post(url, {"decision": "confirm"}).status_code == 302
    entry.refresh_from_db()
    assert entry.state == "confirmed"
    assert ledger.balance([entry])[-1]["net"] == 12500


def test_widening_imbalance_is_flagged():
    def e(day, by, amount):
        return LedgerEntry(
            delivered_by=by, kind="revenue", amount=amount, occurred_on=day, state="confirmed"
        )

    rows = ledger.balance(
        [
            e(date(2026, 1, 10), "ours", 100),
            e(date(2026, 1, 10), "partner", 100),
            e(date(2026, 4, 10), "ours", 300),
            e(date(2026, 7, 10), "ours", 500),
        ]
    )
    assert ledger.widening(rows) == "partner"  # we deliver more and more
    assert ledger.widening(rows[:2]) is None


@pytest.mark.parametrize("name", ["questionnaire", "healthcheck", "ledger"])
def test_portal_pages_within_query_budget(
    client, world, question, name, django_assert_max_num_queries
):
    client.force_login(world["pa"].user)
    for i in range(4):
        healthchecks.save(
            partnership=world["a"],
            side="partner",
            data=SCORES,
            by=None,
            today=timezone.localdate() - timedelta(days=92 * i),
        )
        LedgerEntry.objects.create(
            partnership=world["a"],
            delivered_by="ours",
            kind="effort",
            amount=3,
            description="Workshop",
            occurred_on=timezone.localdate() - timedelta(days=92 * i),
            entered_side="ours",
            state="confirmed",
        )
    with django_assert_max_num_queries(15):
        assert client.get(reverse(f"portal:{name}", args=[world["a"].pk])).status_code == 200


def test_actions_page_within_query_budget(client, world, django_assert_max_num_queries):
    client.force_login(world["pa"].user)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("portal:actions")).status_code == 200


def test_digest_flags_a_gap_of_two_in_the_week_it_appears(world, manager):
    from datetime import datetime, time

    from portal.digest import health_gaps

    today = timezone.localdate()
    healthchecks.save(partnership=world["a"], side="ours", data=SCORES, by=manager)
    week_end = timezone.make_aware(datetime.combine(today + timedelta(days=1), time()))
    week_start = week_end - timedelta(days=7)
    assert health_gaps(manager, {world["a"].pk}, week_start, week_end) is None  # one side only
    healthchecks.save(
        partnership=world["a"], side="partner", data={**SCORES, "trust": "1"}, by=None
    )
    section = health_gaps(manager, {world["a"].pk}, week_start, week_end)
    assert section.partnership_ids == {world["a"].pk}
    assert "Trust us 4, them 1" in section.items[0].text
    later = (week_start + timedelta(days=14), week_end + timedelta(days=14))
    assert health_gaps(manager, {world["a"].pk}, *later) is None  # news once
