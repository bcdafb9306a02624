"""Governance's parts of the weekly digest and of the date reminders."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from governance.digest import overdue_actions, reassessment_dates, review_dates
from governance.models import ActionItem, MeetingCadence
from tests.factories import make_partnership
from tests.governance.conftest import conclude_all, make_contact, start_checklist

LONDON = ZoneInfo("Europe/London")


def week(day):
    end = datetime.combine(day, datetime.min.time(), tzinfo=LONDON)
    return end - timedelta(days=7), end


def test_overdue_actions_section_lists_only_followed_and_late(manager, coo, partnership):
    other = make_partnership()
    today = date(2026, 11, 23)
    late = ActionItem.objects.create(
        partnership=partnership, title="Send plan", owner=coo, due_date=date(2026, 11, 1)
    )
    ActionItem.objects.create(
        partnership=partnership, title="Future", owner=manager, due_date=date(2026, 12, 1)
    )
    ActionItem.objects.create(
        partnership=other, title="Not followed", owner=manager, due_date=date(2026, 11, 1)
    )
    # The manager's own late items are in "Needs you", not here.
    ActionItem.objects.create(
        partnership=partnership, title="Mine", owner=manager, due_date=date(2026, 11, 1)
    )
    section = overdue_actions(manager, [partnership.pk], *week(today))
    assert [i.text for i in section.items] == [f"{partnership.title}: {late.title}"]
    assert section.items[0].badge == "22 days late" and section.items[0].severity == "red"
    assert "Clara Okafor" in section.items[0].meta


def test_overdue_actions_name_a_partner_contact_or_no_owner(manager, partnership):
    contact = make_contact(partnership)
    ActionItem.objects.create(
        partnership=partnership, title="Theirs", owner_contact=contact, due_date=date(2026, 11, 2)
    )
    ActionItem.objects.create(partnership=partnership, title="Nobody's", due_date=date(2026, 11, 3))
    section = overdue_actions(manager, [partnership.pk], *week(date(2026, 11, 23)))
    assert [i.meta for i in section.items] == [
        f"Due 2 Nov · {contact.name} ({partnership.partner.name})",
        "Due 3 Nov · no owner",
    ]
    assert section.partnership_ids == {partnership.pk} and not section.omitted


def test_review_and_reassessment_dates_feed_reminders(coo, partnership):
    MeetingCadence.objects.create(
        partnership=partnership, kind="qbr", frequency="quarterly", start_date=date(2027, 1, 15)
    )
    MeetingCadence.objects.create(
        partnership=partnership, kind="steering", frequency="monthly", start_date=date(2027, 1, 1)
    )
    with time_machine.travel(datetime(2026, 2, 10, 12, tzinfo=LONDON), tick=False):
        conclude_all(start_checklist(partnership, coo), coo)
        from governance import services

        services.checklist_sign_off(checklist=partnership.dd_checklist, by=coo)
    today = date(2026, 11, 23)
    reviews = review_dates(today)
    assert [(r[1], r[2]) for r in reviews] == [("performance_review", date(2027, 1, 15))]
    assert [(r[1], r[2]) for r in reassessment_dates(today)] == [
        ("dd_reassessment", date(2027, 2, 10))
    ]
    assert reassessment_dates(date(2027, 3, 1)) == []
    assert review_dates(today, partnership_ids=[partnership.pk]) == reviews
    assert review_dates(today, partnership_ids=[]) == []
    assert reassessment_dates(today, partnership_ids=[partnership.pk + 1]) == []


def test_date_sources_filter_the_asked_partnerships_in_sql(
    coo, partnership, django_assert_num_queries
):
    other = make_partnership()
    for p in (partnership, other):
        MeetingCadence.objects.create(
            partnership=p, kind="qbr", frequency="quarterly", start_date=date(2027, 1, 15)
        )
    today = date(2026, 11, 23)
    assert {r[0] for r in review_dates(today)} == {partnership.pk, other.pk}
    with django_assert_num_queries(1):
        reviews = review_dates(today, partnership_ids=[other.pk])
    assert [r[0] for r in reviews] == [other.pk]
