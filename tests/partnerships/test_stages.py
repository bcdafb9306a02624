import pytest

from partnerships.models import Stage, StageMove
from partnerships.plugins import Contributions, Gate, added
from partnerships.stages import (
    StageMoveRefused,
    check_moves,
    gate_conditions,
    move_partnership,
)
from tests.factories import make_objective, make_partnership


def at(partnership, stage):
    partnership.stage = stage
    partnership.save()
    return partnership


def test_moves_along_the_lifecycle_are_logged(partnership, coo):
    move = move_partnership(partnership, Stage.DUE_DILIGENCE, by=coo, reason="Promising")
    partnership.refresh_from_db()
    assert partnership.stage == Stage.DUE_DILIGENCE
    assert (move.from_stage, move.to_stage, move.moved_by, move.reason) == (
        Stage.PROSPECT,
        Stage.DUE_DILIGENCE,
        coo,
        "Promising",
    )
    assert not move.forced
    assert list(partnership.stage_moves.all()) == [move]


def test_a_move_that_skips_stages_is_refused_with_the_reason(partnership, coo):
    with pytest.raises(StageMoveRefused) as refused:
        move_partnership(partnership, Stage.RENEWAL, by=coo)
    assert refused.value.missing[0] == "Prospect cannot move to Renewal directly."
    assert not StageMove.objects.exists()


def test_into_active_needs_an_owner_and_an_objective(db, coo):
    partnership = at(make_partnership(owner=None), Stage.NEGOTIATION)
    with pytest.raises(StageMoveRefused) as refused:
        move_partnership(partnership, Stage.ACTIVE, by=coo)
    assert "Assign a partnership owner." in refused.value.missing
    assert "Agree at least one objective." in refused.value.missing
    partnership.refresh_from_db()
    assert partnership.stage == Stage.NEGOTIATION


def test_into_active_passes_its_own_conditions_once_met(db, coo, manager):
    partnership = at(make_partnership(owner=manager), Stage.NEGOTIATION)
    make_objective(partnership)
    base_missing = [
        m
        for condition in gate_conditions(Stage.ACTIVE)
        if condition.__module__ == "partnerships.stages"
        for m in condition(partnership)
    ]
    assert base_missing == []


def test_ending_needs_a_written_reason(partnership, coo):
    with pytest.raises(StageMoveRefused) as refused:
        move_partnership(partnership, Stage.ENDED, by=coo, reason="   ")
    assert refused.value.missing == [
        "Ending a partnership needs a reason of a short sentence at least (three words), "
        "so whoever reads its history knows why it ended."
    ]
    with pytest.raises(StageMoveRefused):
        move_partnership(partnership, Stage.ENDED, by=coo, reason="acquired")
    move = move_partnership(partnership, Stage.ENDED, by=coo, reason="The partner was acquired")
    assert move.to_stage == Stage.ENDED


def test_ended_is_final_unless_forced(partnership, coo):
    move_partnership(partnership, Stage.ENDED, by=coo, reason="The partner was acquired")
    assert check_moves(partnership) == []
    with pytest.raises(StageMoveRefused):
        move_partnership(partnership, Stage.PROSPECT, by=coo)
    move = move_partnership(
        partnership, Stage.PROSPECT, by=coo, reason="Revived after the merger talks", force=True
    )
    assert move.forced


def test_only_executives_may_force_and_the_force_is_logged(db, coo, manager):
    partnership = at(make_partnership(owner=None), Stage.NEGOTIATION)
    with pytest.raises(StageMoveRefused) as refused:
        move_partnership(partnership, Stage.ACTIVE, by=manager, reason="Urgent", force=True)
    assert refused.value.missing == ["Only an executive can force a stage move."]
    with pytest.raises(StageMoveRefused) as refused:
        move_partnership(partnership, Stage.ACTIVE, by=coo, force=True)
    assert refused.value.missing == [
        "A forced move needs a reason of a short sentence at least (three words)."
    ]

    move = move_partnership(
        partnership, Stage.ACTIVE, by=coo, reason="The board decided so today", force=True
    )
    assert move.forced
    assert "Assign a partnership owner." in move.unmet_conditions
    assert "Agree at least one objective." in move.unmet_conditions


def test_a_forced_move_with_nothing_missing_is_not_marked_forced(partnership, coo):
    move = move_partnership(
        partnership, Stage.DUE_DILIGENCE, by=coo, reason="Go ahead as agreed today", force=True
    )
    assert not move.forced
    assert move.unmet_conditions == []


def test_moving_to_the_current_stage_is_refused(partnership, coo):
    with pytest.raises(StageMoveRefused) as refused:
        move_partnership(partnership, Stage.PROSPECT, by=coo)
    assert refused.value.missing == ["The partnership is already in Prospect."]


def test_other_apps_contribute_gate_conditions(partnership, coo):
    def needs_paperwork(p):
        return [] if p.description else ["Write a description first."]

    with added(Contributions(gates=[Gate(Stage.DUE_DILIGENCE, needs_paperwork)])):
        with pytest.raises(StageMoveRefused) as refused:
            move_partnership(partnership, Stage.DUE_DILIGENCE, by=coo)
        assert refused.value.missing == ["Write a description first."]
        check = next(c for c in check_moves(partnership) if c.to_stage == Stage.DUE_DILIGENCE)
        assert not check.allowed and check.missing == ["Write a description first."]
        partnership.description = "Now described"
        partnership.save()
        move_partnership(partnership, Stage.DUE_DILIGENCE, by=coo)
