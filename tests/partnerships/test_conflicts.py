"""Conflicts have someone to resolve them by a date, can be resolved from the log, show up in
My work, and escalate along the escalation path once overdue, through the outbox."""

from datetime import timedelta

import pytest
from django.urls import reverse

from governance.conflicts import due_step, escalate_overdue
from governance.models import GovernanceRole
from outbox.models import Message
from partnerships.models import Interaction
from partnerships.work import items_for
from tests.clock import TODAY, days_from_today
from tests.factories import make_user


def conflict(partnership, owner, due_on, **fields):
    return Interaction.objects.create(
        partnership=partnership,
        kind="conflict",
        subject="Dispute over lead ownership",
        occurred_on=due_on - timedelta(days=14),
        owner=owner,
        due_on=due_on,
        **fields,
    )


def test_an_open_conflict_needs_an_owner_and_a_date(client, manager, partnership):
    client.force_login(manager)
    url = reverse("partnerships:interaction_create", args=[partnership.pk])
    data = {"kind": "conflict", "occurred_on": TODAY, "subject": "Lead dispute"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Name who resolves this conflict." in response.text
    assert "Give a date by which it should be resolved." in response.text
    assert not Interaction.objects.exists()
    data |= {"owner": manager.pk, "due_on": days_from_today(14)}
    assert client.post(url, data).status_code == 302
    assert Interaction.objects.get().owner == manager


def test_resolving_from_the_log_needs_a_sentence(client, manager, partnership):
    open_one = conflict(partnership, manager, days_from_today(-3))
    client.force_login(manager)
    page = client.get(partnership.get_absolute_url()).text
    assert "3\xa0days overdue" in page and "To resolve: " in page
    url = reverse("partnerships:conflict_resolve", args=[partnership.pk, open_one.pk])
    client.post(url, {"resolution": "ok"})
    open_one.refresh_from_db()
    assert open_one.resolved_on is None
    client.post(url, {"resolution": "Split the lead by region, agreed by both sponsors"})
    open_one.refresh_from_db()
    assert open_one.resolved_on == TODAY


def test_my_work_lists_the_conflicts_i_resolve(manager, other_manager, partnership):
    conflict(partnership, manager, days_from_today(2))
    conflict(partnership, other_manager, days_from_today(2))
    mine = [i for i in items_for(manager, TODAY) if i.kind == "partnerships.conflicts"]
    assert [i.title for i in mine] == ["Dispute over lead ownership"]


@pytest.mark.parametrize(
    ("days", "path", "step"),
    [(0, 2, 0), (1, 2, 1), (7, 2, 1), (8, 2, 2), (15, 2, 3), (90, 2, 3), (1, 0, 1), (30, 0, 1)],
)
def test_one_step_on_the_first_day_late_then_one_a_week(days, path, step):
    assert due_step(days, path) == step


def test_overdue_conflicts_escalate_along_the_path_once_per_step(db, manager, coo, partnership):
    lead = make_user("lead", "Partner manager")
    GovernanceRole.objects.create(
        partnership=partnership,
        kind="operational_lead",
        level="operational",
        user=lead,
        escalation_step=1,
    )
    late = conflict(partnership, manager, TODAY - timedelta(days=1))
    conflict(partnership, manager, TODAY + timedelta(days=1))  # not due yet
    assert escalate_overdue(today=TODAY) == 1
    assert escalate_overdue(today=TODAY) == 0  # the same day again sends nothing
    sent = sorted(Message.objects.values_list("recipient", flat=True))
    assert sent == ["lead@example.com", "manager@example.com"]
    late.refresh_from_db()
    assert late.escalated_step == 1

    # A week later the path is exhausted for the first: the executives are told too, and only
    # once; the second, now late, reaches its first step.
    assert escalate_overdue(today=TODAY + timedelta(days=7)) == 2
    assert escalate_overdue(today=TODAY + timedelta(days=8)) == 0
    late.refresh_from_db()
    assert late.escalated_step == 2
    top = Message.objects.filter(key__startswith=f"conflict-escalation:{late.pk}:2:")
    assert "coo@example.com" in top.values_list("recipient", flat=True)
    assert "Dispute over lead ownership" in Message.objects.first().subject
