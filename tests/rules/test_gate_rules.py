"""The stage gates as users meet them: every condition each app adds, what each one says is
missing, and exactly what satisfies it (partnerships/stages.py, governance/gates.py,
kpis/gates.py)."""

from datetime import datetime

import pytest
from django.utils import timezone

from governance import gates as governance_gates
from governance.models import Checklist, ChecklistItem, GovernanceRole, ItemStatus, RoleKind
from kpis import gates as kpi_gates
from kpis.models import Kpi
from partnerships import stages
from partnerships.models import Contact, Partnership, Stage, StageMove
from partnerships.plugins import Contributions, Gate, added
from partnerships.stages import (
    MoveCheck,
    StageMoveRefused,
    check_moves,
    gate_conditions,
    missing_for,
    move_partnership,
)
from tests.factories import make_objective, make_partnership

OWNER = "Assign a partnership owner."
OBJECTIVE = "Agree at least one objective."
SPONSOR = "Assign an executive sponsor."
OWNER_ROLE = "Assign a partnership owner role."
KPI = "Define at least one KPI for an objective."
START_DD = "Start due diligence and pass or waive its required items."
REASON = (
    "Ending a partnership needs a reason of a short sentence at least (three words), "
    "so whoever reads its history knows why it ended."
)


def role(partnership, kind):
    contact = Contact.objects.create(partner=partnership.partner, name=f"Contact for {kind}")
    return GovernanceRole.objects.create(
        partnership=partnership, kind=kind, level="strategic", contact=contact
    )


def kpi_for(partnership, objective, **fields):
    return Kpi.objects.create(
        partnership=partnership,
        objective=objective,
        name=fields.pop("name", "Joint revenue"),
        unit="count",
        direction="higher",
        target=100,
        warning=90,
        critical=80,
        frequency="monthly",
        aggregation="sum",
        created_at=timezone.make_aware(datetime(2024, 1, 1)),
        **fields,
    )


def ready_for_active(partnership, user):
    """Everything every app asks before Active."""
    partnership.owner = user
    partnership.save()
    objective = make_objective(partnership)
    role(partnership, RoleKind.EXECUTIVE_SPONSOR)
    role(partnership, RoleKind.OWNER)
    kpi_for(partnership, objective)
    return objective


def test_the_gates_registered_for_each_stage():
    assert gate_conditions(Stage.ACTIVE) == [
        stages.owner_assigned,
        stages.has_objective,
        governance_gates.sponsor_and_owner_assigned,
        kpi_gates.has_kpi_for_objective,
    ]
    assert gate_conditions(Stage.NEGOTIATION) == [governance_gates.due_diligence_cleared]
    for stage in (Stage.PROSPECT, Stage.DUE_DILIGENCE, Stage.UNDER_REVIEW, Stage.RENEWAL):
        assert gate_conditions(stage) == []
    assert gate_conditions(Stage.ENDED) == []


def test_into_active_a_bare_partnership_misses_every_condition_in_order(db):
    bare = make_partnership(stage=Stage.NEGOTIATION)
    assert missing_for(bare, Stage.ACTIVE) == [OWNER, OBJECTIVE, SPONSOR, OWNER_ROLE, KPI]
    assert missing_for(bare, "active") == [OWNER, OBJECTIVE, SPONSOR, OWNER_ROLE, KPI]


def test_into_active_with_everything_nothing_is_missing(db, manager):
    p = make_partnership(stage=Stage.NEGOTIATION)
    ready_for_active(p, manager)
    assert missing_for(p, Stage.ACTIVE) == []


@pytest.mark.parametrize("kept", [SPONSOR, OWNER_ROLE])
def test_sponsor_and_owner_roles_are_each_required(db, manager, kept):
    p = make_partnership(stage=Stage.NEGOTIATION, owner=manager)
    make_objective(p)
    role(p, RoleKind.OWNER if kept == SPONSOR else RoleKind.EXECUTIVE_SPONSOR)
    role(p, RoleKind.COO)  # another role does not stand in for either
    assert governance_gates.sponsor_and_owner_assigned(p) == [kept]


def test_no_roles_at_all_misses_both(db):
    p = make_partnership()
    assert governance_gates.sponsor_and_owner_assigned(p) == [SPONSOR, OWNER_ROLE]
    other = make_partnership()
    role(other, RoleKind.EXECUTIVE_SPONSOR)
    role(other, RoleKind.OWNER)
    assert governance_gates.sponsor_and_owner_assigned(p) == [SPONSOR, OWNER_ROLE]
    assert governance_gates.sponsor_and_owner_assigned(other) == []


def test_base_conditions_owner_and_objective(db, manager):
    p = make_partnership()
    assert stages.owner_assigned(p) == [OWNER]
    assert stages.has_objective(p) == [OBJECTIVE]
    p.owner = manager
    make_objective(p)
    assert stages.owner_assigned(p) == []
    assert stages.has_objective(p) == []


def test_a_kpi_counts_only_when_active_and_on_an_objective_of_the_same_partnership(db):
    p, other = make_partnership(), make_partnership()
    objective, elsewhere = make_objective(p), make_objective(other)
    assert kpi_gates.has_kpi_for_objective(p) == [KPI]
    kpi_for(other, objective, name="Theirs on our objective")
    kpi_for(p, elsewhere, name="Ours on their objective")
    kpi_for(p, objective, name="Paused", is_active=False)
    assert kpi_gates.has_kpi_for_objective(p) == [KPI]
    kpi_for(p, objective, name="Measured")
    assert kpi_gates.has_kpi_for_objective(p) == []


def checklist(partnership, *items):
    """Items as (question, required, status, waiver_reason)."""
    made = Checklist.objects.create(partnership=partnership)
    for order, (question, required, status, reason) in enumerate(items):
        ChecklistItem.objects.create(
            checklist=made,
            section="financial",
            question=question,
            required=required,
            status=status,
            waiver_reason=reason,
            order=len(items) - order,  # listed in reverse: the gate reads them by order
        )
    return made


def test_due_diligence_not_started_is_missing_as_a_whole(db):
    assert governance_gates.due_diligence_cleared(make_partnership()) == [START_DD]


def test_due_diligence_names_each_required_item_not_cleared_in_checklist_order(db):
    p = make_partnership()
    checklist(
        p,
        ("Passed", True, ItemStatus.PASSED, ""),
        ("Waived with a reason", True, ItemStatus.WAIVED, "Not applicable here"),
        ("Waived without one", True, ItemStatus.WAIVED, "   "),
        ("Failed", True, ItemStatus.FAILED, ""),
        ("In progress", True, ItemStatus.IN_PROGRESS, ""),
        ("Not started", True, ItemStatus.NOT_STARTED, ""),
        ("Optional", False, ItemStatus.NOT_STARTED, ""),
    )
    assert governance_gates.due_diligence_cleared(p) == [
        "Pass or waive the required due-diligence item ‘Not started’.",
        "Pass or waive the required due-diligence item ‘In progress’.",
        "Pass or waive the required due-diligence item ‘Failed’.",
        "Give a reason for waiving the due-diligence item ‘Waived without one’.",
    ]
    assert missing_for(p, Stage.NEGOTIATION) == governance_gates.due_diligence_cleared(p)


def test_due_diligence_cleared_when_required_items_pass_or_are_waived(db):
    p = make_partnership()
    checklist(
        p,
        ("Passed", True, ItemStatus.PASSED, ""),
        ("Waived", True, ItemStatus.WAIVED, "Covered by the parent company's audit"),
        ("Optional", False, ItemStatus.FAILED, ""),
    )
    assert governance_gates.due_diligence_cleared(p) == []


@pytest.mark.parametrize(
    ("reason", "missing"),
    [
        ("", [REASON]),
        ("  \n", [REASON]),
        ("x", [REASON]),
        ("abc defg hijklm", []),  # three words, 15 characters: the least that is enough
        ("abc defg hijkl", [REASON]),  # 14 characters
        ("abcdefg hijklmnop", [REASON]),  # two words
        ("  abc defg hijklm  ", []),  # surrounding spaces do not count, nor against
    ],
)
def test_ending_needs_a_written_reason(db, reason, missing):
    p = make_partnership()
    assert missing_for(p, Stage.ENDED, reason=reason) == missing
    assert missing_for(p, "ended", reason=reason) == missing


def test_ending_without_giving_any_reason_is_refused(db):
    assert missing_for(make_partnership(), Stage.ENDED) == [REASON]


def test_the_reason_rule_is_only_for_ending(db):
    p = make_partnership()
    assert missing_for(p, Stage.DUE_DILIGENCE) == []


def test_check_moves_offers_each_next_stage_with_what_is_missing(db, manager):
    p = make_partnership(stage=Stage.NEGOTIATION)
    assert check_moves(p) == [
        MoveCheck(Stage.ACTIVE, False, [OWNER, OBJECTIVE, SPONSOR, OWNER_ROLE, KPI]),
        MoveCheck(Stage.DUE_DILIGENCE, True, []),
        MoveCheck(Stage.ENDED, True, []),
    ]
    ready_for_active(p, manager)
    assert check_moves(p)[0] == MoveCheck(Stage.ACTIVE, True, [])


def test_the_lifecycle_moves_on_offer():
    expected = {
        Stage.PROSPECT: [Stage.DUE_DILIGENCE, Stage.ENDED],
        Stage.DUE_DILIGENCE: [Stage.NEGOTIATION, Stage.PROSPECT, Stage.ENDED],
        Stage.NEGOTIATION: [Stage.ACTIVE, Stage.DUE_DILIGENCE, Stage.ENDED],
        Stage.ACTIVE: [Stage.UNDER_REVIEW, Stage.RENEWAL, Stage.ENDED],
        Stage.UNDER_REVIEW: [Stage.ACTIVE, Stage.RENEWAL, Stage.ENDED],
        Stage.RENEWAL: [Stage.ACTIVE, Stage.ENDED],
        Stage.ENDED: [],
    }
    for stage, offered in expected.items():
        p = Partnership(stage=stage.value)
        assert stages.next_stages(p) == offered


def test_a_refused_move_says_everything_missing_and_changes_nothing(db, coo):
    p = make_partnership(stage=Stage.NEGOTIATION)
    with pytest.raises(StageMoveRefused) as refused:
        move_partnership(p, Stage.ACTIVE, by=coo)
    assert refused.value.missing == [OWNER, OBJECTIVE, SPONSOR, OWNER_ROLE, KPI]
    assert str(refused.value) == "; ".join([OWNER, OBJECTIVE, SPONSOR, OWNER_ROLE, KPI])
    p.refresh_from_db()
    assert p.stage == Stage.NEGOTIATION
    assert not StageMove.objects.filter(partnership=p).exists()


def test_a_move_that_skips_stages_names_both_stages(db, coo):
    p = make_partnership(stage=Stage.PROSPECT)
    with pytest.raises(StageMoveRefused) as refused:
        move_partnership(p, Stage.RENEWAL, by=coo)
    assert refused.value.missing == ["Prospect cannot move to Renewal directly."]


def test_a_forced_move_keeps_what_was_missing(db, coo):
    p = make_partnership(stage=Stage.NEGOTIATION)
    now = timezone.make_aware(datetime(2026, 3, 2, 9, 0))
    move = move_partnership(
        p, Stage.ACTIVE, by=coo, reason=" The board decided so today ", force=True, now=now
    )
    move.refresh_from_db()
    assert (move.from_stage, move.to_stage, move.moved_by, move.moved_at) == (
        Stage.NEGOTIATION,
        Stage.ACTIVE,
        coo,
        now,
    )
    assert move.reason == "The board decided so today"
    assert move.forced is True
    assert move.unmet_conditions == [OWNER, OBJECTIVE, SPONSOR, OWNER_ROLE, KPI]
    assert (p.stage, p.stage_changed_at) == (Stage.ACTIVE, now)
    p.refresh_from_db()
    assert (p.stage, p.stage_changed_at) == (Stage.ACTIVE, now)


def test_an_unforced_move_records_no_unmet_conditions(db, coo, manager):
    p = make_partnership(stage=Stage.NEGOTIATION)
    ready_for_active(p, manager)
    move = move_partnership(p, Stage.ACTIVE, by=coo)
    move.refresh_from_db()
    assert (move.forced, move.unmet_conditions, move.reason) == (False, [], "")
    assert move.moved_at == p.stage_changed_at


def test_forcing_needs_an_executive_and_a_reason(db, coo, manager):
    p = make_partnership(stage=Stage.NEGOTIATION, owner=manager)
    with pytest.raises(StageMoveRefused) as refused:
        move_partnership(p, Stage.ACTIVE, by=manager, reason="Urgent", force=True)
    assert refused.value.missing == ["Only an executive can force a stage move."]
    with pytest.raises(StageMoveRefused) as refused:
        move_partnership(p, Stage.ACTIVE, by=coo, reason="   ", force=True)
    assert refused.value.missing == [
        "A forced move needs a reason of a short sentence at least (three words)."
    ]
    with pytest.raises(StageMoveRefused):
        move_partnership(p, Stage.ACTIVE, by=coo, reason="Board decision", force=True)
    with pytest.raises(StageMoveRefused) as refused:
        move_partnership(p, Stage.NEGOTIATION, by=coo, reason="Again", force=True)
    assert refused.value.missing == ["The partnership is already in Negotiation."]


def test_a_declared_gate_can_be_replaced_by_its_key_and_goes_with_its_declaration(db):
    p = make_partnership(stage=Stage.PROSPECT)

    def first(partnership):
        return ["First wording."]

    def second(partnership):
        return ["Second wording."]

    replaced = Contributions(
        gates=[
            Gate(Stage.DUE_DILIGENCE, first, key="test.paperwork"),
            Gate("due_diligence", second, key="test.paperwork"),
        ]
    )
    with added(replaced):
        assert missing_for(p, Stage.DUE_DILIGENCE) == ["Second wording."]
        with added(Contributions(gates=[Gate(Stage.DUE_DILIGENCE, first)] * 2)):
            assert missing_for(p, Stage.DUE_DILIGENCE) == ["Second wording.", "First wording."]
            keys = [gate.key for gate in stages.gates(Stage.DUE_DILIGENCE)]
            assert keys == ["test.paperwork", f"{__name__}.{first.__qualname__}"]
    assert missing_for(p, Stage.DUE_DILIGENCE) == []
    assert stages.gates(Stage.DUE_DILIGENCE) == []
