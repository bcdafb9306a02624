"""Dependency rules: no cycle, not due before what it depends on, and done before its
dependencies only with an override reason (kept and shown)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from integration import plans, services
from integration.models import Milestone
from tests.clock import TODAY

from .conftest import make_milestone, make_workstream


def test_rules_as_plain_functions():
    titles = {1: "Spec", 2: "Build"}
    dues = {1: TODAY, 2: TODAY + timedelta(days=5)}
    graph = {1: [], 2: [1]}
    # 1 depending on 2 closes a cycle.
    assert plans.dependency_errors(1, TODAY, [2], graph, titles=titles, dues=dues) == [
        plans.CYCLE.format("Build")
    ]
    # A new milestone due before what it depends on.
    early = plans.dependency_errors(None, TODAY, [2], graph, titles=titles, dues=dues)
    assert len(early) == 1 and "before “Build”" in early[0]
    later = TODAY + timedelta(days=9)
    assert plans.dependency_errors(None, later, [2], graph, titles=titles, dues=dues) == []
    assert plans.completion_errors(["Spec"], "") == [plans.OVERRIDE.format("Spec")]
    assert plans.completion_errors(["Spec"], "  ") != []
    assert plans.completion_errors(["Spec"], "Signed off by phone") == []
    assert plans.completion_errors([], "") == []


@pytest.fixture
def chain(partnership, manager):
    stream = make_workstream(partnership)
    first = make_milestone(stream, manager, title="Interfaces specified")
    second = make_milestone(
        stream,
        manager,
        title="Integration tested",
        due_date=TODAY + timedelta(days=10),
        depends_on=[first],
    )
    return first, second


def test_a_cycle_is_refused_with_a_clear_message(chain):
    first, second = chain
    with pytest.raises(ValidationError) as error:
        services.milestone_save(milestone=first, depends_on=[second])
    assert "cannot depend, directly or through others, on itself" in str(error.value)
    assert list(first.depends_on.all()) == []


def test_a_milestone_may_not_be_due_before_its_dependencies(chain, manager):
    first, second = chain
    third = Milestone(workstream=first.workstream, owner=manager, title="Cut-over", due_date=TODAY)
    with pytest.raises(ValidationError, match="before “Integration tested”"):
        services.milestone_save(milestone=third, depends_on=[second])
    assert not Milestone.objects.filter(title="Cut-over").exists()
    # Nor can a dependency be moved after what depends on it.
    first.due_date = TODAY + timedelta(days=20)
    with pytest.raises(ValidationError, match="depends on this milestone"):
        services.milestone_save(milestone=first, depends_on=[])


def test_done_before_its_dependencies_needs_a_reason(chain, manager):
    first, second = chain
    with pytest.raises(ValidationError, match="Give a reason"):
        services.milestone_complete(milestone=second, by=manager)
    second.refresh_from_db()
    assert second.done_on is None
    services.milestone_complete(milestone=second, by=manager, override_reason="Tested on a draft")
    second.refresh_from_db()
    assert second.done_on == TODAY and second.override_reason == "Tested on a draft"


def test_done_after_its_dependencies_needs_no_reason_and_keeps_none(chain, manager):
    first, second = chain
    services.milestone_complete(milestone=first, by=manager)
    services.milestone_complete(milestone=second, by=manager, override_reason="not needed")
    second.refresh_from_db()
    assert second.done_by == manager and second.override_reason == ""
    services.milestone_reopen(milestone=second)
    second.refresh_from_db()
    assert second.done_on is None


def test_exactly_one_owner_is_a_database_rule(partnership, manager):
    stream = make_workstream(partnership)
    contact = partnership.partner.contacts.create(name="Ines Duarte")
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.create(workstream=stream, title="Nobody's", due_date=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.create(
            workstream=stream, title="Both", due_date=TODAY, owner=manager, owner_contact=contact
        )
    theirs = Milestone.objects.create(
        workstream=stream, title="Theirs", due_date=TODAY, owner_contact=contact
    )
    assert theirs.owner_name == "Ines Duarte"
