"""Entering a stage runs what the apps set up for it (``plugins.OnEnter``), in the move's
transaction: entering Active copies the standard plan of the partnership's type, once."""

import pytest

from integration.models import Milestone, Workstream
from integration.standard import STANDARD, WORKSTREAMS
from partnerships.models import Partnership, Stage
from partnerships.plugins import Contributions, OnEnter, added
from partnerships.stages import move_partnership
from tests.clock import TODAY

FORCE = {"reason": "The board decided so today", "force": True}


def test_the_hook_runs_for_its_stage_only_inside_the_move(partnership, coo):
    calls = []

    def record(p, *, by, now):
        calls.append((p.pk, p.stage, by, now.date()))

    with added(Contributions(on_enter=[OnEnter("test.record", Stage.DUE_DILIGENCE, record)])):
        move_partnership(partnership, Stage.DUE_DILIGENCE, by=coo)
        move_partnership(partnership, Stage.NEGOTIATION, by=coo, **FORCE)
    assert calls == [(partnership.pk, Stage.DUE_DILIGENCE, coo, TODAY)]


def test_a_failing_hook_undoes_the_move(partnership, coo):
    def fail(p, *, by, now):
        raise RuntimeError("set-up failed")

    failing = Contributions(on_enter=[OnEnter("test.fail", Stage.DUE_DILIGENCE, fail)])
    with added(failing), pytest.raises(RuntimeError):
        move_partnership(partnership, Stage.DUE_DILIGENCE, by=coo)
    partnership.refresh_from_db()
    assert partnership.stage == Stage.PROSPECT


def test_entering_active_copies_the_standard_plan_once(partnership, coo, manager):
    partnership.stage = Stage.NEGOTIATION
    partnership.save()
    move_partnership(partnership, Stage.ACTIVE, by=coo, **FORCE)
    keys = STANDARD[Partnership.Type.TECHNOLOGY]
    streams = list(Workstream.objects.filter(partnership=partnership))
    assert [w.template_key for w in streams] == keys
    expected = sum(len(WORKSTREAMS[k][2]) for k in keys)
    milestones = Milestone.objects.filter(workstream__partnership=partnership)
    assert milestones.count() == expected
    assert {m.owner_id for m in milestones} == {manager.pk}  # the partnership's owner
    assert all(m.due_date > TODAY for m in milestones)
    tested = milestones.get(template_key="test")
    assert [d.template_key for d in tested.depends_on.all()] == ["interface"]
    # Back under review and active again: nothing is copied twice.
    move_partnership(partnership, Stage.UNDER_REVIEW, by=coo)
    move_partnership(partnership, Stage.ACTIVE, by=coo, **FORCE)
    assert Milestone.objects.filter(workstream__partnership=partnership).count() == expected
