from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from governance import gates
from governance.demo import seed_governance
from governance.models import (
    ActionItem,
    Checklist,
    ChecklistItem,
    Decision,
    Evidence,
    GovernanceRole,
    Meeting,
    MeetingCadence,
    PerformanceReview,
    RaciAssignment,
    Risk,
    RiskScoreChange,
)
from partnerships.demo import seed_base
from partnerships.models import Stage

MODELS = [
    Checklist,
    ChecklistItem,
    Evidence,
    GovernanceRole,
    RaciAssignment,
    MeetingCadence,
    Meeting,
    Decision,
    ActionItem,
    PerformanceReview,
    Risk,
    RiskScoreChange,
]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_twice_duplicates_nothing(db):
    call_command("seed_demo", stdout=StringIO())
    first = counts()
    assert all(first.values()), first
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first


def test_demo_is_consistent_with_the_gates(db):
    ctx = seed_base()
    seed_governance(ctx)
    for partnership in ctx["partnerships"].values():
        stage = Stage(partnership.stage)
        if stage in (Stage.NEGOTIATION, Stage.ACTIVE, Stage.UNDER_REVIEW, Stage.RENEWAL):
            assert gates.due_diligence_cleared(partnership) == [], partnership
        if stage in (Stage.ACTIVE, Stage.UNDER_REVIEW, Stage.RENEWAL, Stage.ENDED):
            assert gates.sponsor_and_owner_assigned(partnership) == [], partnership
            assert partnership.raci.filter(letter="A").count() == 5


def test_demo_shows_every_state(db):
    ctx = seed_base()
    seed_governance(ctx)
    checklists = Checklist.objects.all()
    assert checklists.filter(signed_off_at__isnull=False).exists()
    not_started = [c for c in checklists if not c.items.exclude(status="not_started").exists()]
    in_progress = checklists.filter(items__status="in_progress").distinct()
    assert not_started and in_progress.exists()
    assert ChecklistItem.objects.filter(status="waived").exclude(waiver_reason="").exists()
    corners = {(1, 1), (1, 5), (5, 1), (5, 5)}
    present = set(Risk.objects.exclude(status="closed").values_list("likelihood", "impact"))
    assert corners <= present
    assert ActionItem.objects.filter(status="open", due_date__lt=timezone.localdate()).exists()
    assert ActionItem.objects.filter(status="done").exists()
    assert PerformanceReview.objects.values("recommendation").distinct().count() >= 3
