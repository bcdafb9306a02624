"""Panels and list pages run a bounded number of queries whatever the number of rows."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from governance import services
from governance.models import DecisionArea, RoleKind
from tests.factories import make_partnership

from .conftest import (
    make_action,
    make_cadence,
    make_contact,
    make_meeting,
    make_review,
    make_risk,
    make_role,
    make_template,
    start_checklist,
)


def populate(partnership, manager, coo, n):
    template = make_template([(f"Question {i}", i % 2 == 0, 1 + i % 3) for i in range(n)])
    checklist = start_checklist(partnership, manager, template, due_date=date(2020, 1, 1))
    for item in list(checklist.items.all())[: n // 2]:
        services.checklist_item_update(item=item, by=manager, status="passed", rating=4)
    contacts = [make_contact(partnership) for _ in range(n)]
    roles = [
        make_role(partnership, RoleKind.EXECUTIVE_SPONSOR, user=coo, escalation_step=1),
        make_role(partnership, RoleKind.OWNER, user=manager, escalation_step=2),
    ]
    roles += [make_role(partnership, RoleKind.STEERING_MEMBER, contact=c) for c in contacts]
    services.raci_set(
        partnership=partnership,
        cells={(role.pk, area): "R" for role in roles for area in DecisionArea.values},
    )
    make_cadence(partnership, "steering")
    make_cadence(partnership, "qbr", "quarterly")
    for i in range(n):
        meeting = make_meeting(partnership, held_on=date(2025, 1, 1) + timedelta(days=i))
        meeting.attendees.add(manager, coo)
        make_action(partnership, manager, meeting=meeting, due_date=date(2020, 1, 1))
        make_action(partnership, None, owner_contact=contacts[i], due_date=date(2030, 1, 1))
        make_risk(partnership, manager, likelihood=i % 5 + 1, impact=(i * 2) % 5 + 1)
        make_review(partnership)


PAGES = [
    ("governance:dd", True),
    ("governance:dd", False),
    ("governance:governance", True),
    ("governance:governance", False),
    ("governance:meetings", True),
    ("governance:meetings", False),
    ("governance:risks", True),
    ("governance:risks", False),
]
BOUND = 16  # measured: 6–15 depending on the page, the same for 3 and 30 rows


@pytest.mark.parametrize(("name", "htmx"), PAGES)
@pytest.mark.parametrize("rows", [3, 30])
def test_panels_run_a_bounded_number_of_queries(
    client, partnership, manager, coo, name, htmx, rows, django_assert_max_num_queries
):
    populate(partnership, manager, coo, rows)
    client.force_login(manager)
    url = reverse(name, kwargs={"pk": partnership.pk})
    headers = {"HX-Request": "true"} if htmx else {}
    with django_assert_max_num_queries(BOUND):
        response = client.get(url, headers=headers)
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_portfolio_risks_runs_a_bounded_number_of_queries(
    client, manager, coo, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        p = make_partnership(owner=manager)
        make_risk(p, manager, likelihood=3, impact=4)
        make_risk(p, manager, likelihood=1, impact=2, review_date=date(2020, 1, 1))
    client.force_login(coo)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("governance:portfolio_risks"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_meeting_detail_runs_a_bounded_number_of_queries(
    client, partnership, manager, coo, rows, django_assert_max_num_queries
):
    sponsor = make_role(
        partnership, RoleKind.EXECUTIVE_SPONSOR, user=coo, decision_rights=["budget"]
    )
    meeting = make_meeting(partnership)
    contacts = [make_contact(partnership) for _ in range(rows)]
    meeting.partner_attendees.set(contacts)
    for i in range(rows):
        meeting.decisions.create(summary=f"D{i}", decided_by=sponsor, area="budget")
        make_action(partnership, None, owner_contact=contacts[i], meeting=meeting)
    client.force_login(manager)
    with django_assert_max_num_queries(BOUND):
        response = client.get(meeting.get_absolute_url())
    assert response.status_code == 200
