""" "Needs you": the recipient's own items first; an executive reads other people's many
overdue items as counts per partnership; the same conflict in many partnerships is one line."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from digests.building import build_digest, render_digest
from digests.builtin import conflicts
from digests.schedule import schedule_for_week
from governance.models import ActionItem
from tests.digests.helpers import conflict
from tests.factories import make_partnership

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)


def _schedule():
    return schedule_for_week(
        MONDAY,
        weekday=0,
        send_time=time(7),
        tz="Europe/London",
        last_active=MONDAY,
        inactive_days=30,
    )


def _build(user):
    with time_machine.travel(datetime(2026, 11, 23, 7, 5, tzinfo=UTC), tick=False):
        content = build_digest(user, _schedule())
        return {s.title: s for s in content.news}, render_digest(content)


def _action(partnership, owner, title, due):
    return ActionItem.objects.create(
        partnership=partnership, title=title, owner=owner, due_date=due
    )


def test_the_recipients_own_items_come_first_and_not_twice(manager, coo, partnership):
    _action(partnership, manager, "Send the joint plan", date(2026, 11, 16))
    _action(partnership, manager, "Book the QBR room", date(2026, 11, 27))
    _action(partnership, manager, "Later", date(2026, 12, 20))
    _action(partnership, coo, "Sponsor letter", date(2026, 11, 10))
    sections, email = _build(manager)
    mine = sections["Needs you"]
    assert [(i.text, i.badge) for i in mine.items] == [
        ("Joint analytics offering: Send the joint plan", "7 days late"),
        ("Joint analytics offering: Book the QBR room", "Due Fri 27 Nov"),
    ]
    others = sections["Overdue action items"]
    assert [i.text for i in others.items] == ["Joint analytics offering: Sponsor letter"]
    assert list(sections).index("Needs you") < list(sections).index("Overdue action items")
    assert "Send the joint plan" in email.text and "Send the joint plan" in email.html


def test_an_executive_gets_other_peoples_overdue_items_counted_per_partnership(coo, manager):
    busy = make_partnership(title="Swedish channel programme", owner=manager)
    quiet = make_partnership(title="Nordic fulfilment network", owner=manager)
    for n in range(5):
        _action(busy, manager, f"Follow-up {n}", date(2026, 11, 2 + n))
    for n in range(2):
        _action(quiet, manager, f"Check {n}", date(2026, 11, 18))
    sections, email = _build(coo)
    counted = sections["Overdue action items"]
    assert [(i.text, i.meta) for i in counted.items] == [
        ("Swedish channel programme: 5 overdue action items", "The oldest 21 days late"),
        ("Nordic fulfilment network: 2 overdue action items", "The oldest 5 days late"),
    ]
    assert counted.items[0].link == f"/governance/partnerships/{busy.pk}/meetings/"
    assert "Follow-up 3" not in email.text
    # The manager owns all seven: each is in their "Needs you", one by one.
    mine = _build(manager)[0]["Needs you"]
    assert len(mine.items) == 7


def test_near_duplicate_conflicts_are_one_line_with_a_link(coo, manager, time_machine):
    partnerships = [make_partnership(title=f"Alliance {n}", owner=manager) for n in range(9)]
    for n, p in enumerate(partnerships):
        conflict(p, date(2026, 10, 1 + n), subject="Dispute over lead ownership" + "." * (n % 2))
    conflict(partnerships[5], date(2026, 10, 20), subject="dispute over lead ownership")
    conflict(partnerships[0], date(2026, 11, 1), subject="Pricing of the bundle")
    tz = _schedule().tz
    start = datetime(2026, 11, 16, tzinfo=tz)
    end = datetime(2026, 11, 23, tzinfo=tz)
    section = conflicts(coo, [p.pk for p in partnerships], start, end)
    first, second = section.items
    assert first.text == "10 open conflicts about lead ownership"
    # To the portfolio filtered to partnerships with open conflicts, where they are, the most
    # first with each partnership's count.
    assert first.link == "/partnerships/?conflicts=open"
    assert first.meta.startswith("In Alliance 5 (2), Alliance 0 (1), Alliance 1 (1) and 6 more")
    assert second.text == "Alliance 0: Pricing of the bundle"
    assert section.count == 2 and section.partnership_ids == {p.pk for p in partnerships}
