"""What the plan adds elsewhere: the health score, the digest, "My work", the portfolio's
order and the demo."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from integration import demo, selectors
from integration.digest import slipped_this_week
from integration.models import Milestone, Workstream
from kpis.health import compute_health
from partnerships.aggregates import read_together
from partnerships.models import Partnership, Stage
from partnerships.work import change, items_for
from tests.clock import TODAY

from .conftest import make_milestone, make_workstream

LONDON = ZoneInfo("Europe/London")


def _slipped_plan(partnership, manager):
    stream = make_workstream(partnership, title="Data", start_date=TODAY - timedelta(days=40))
    old = make_milestone(stream, manager, title="Old slip", due_date=TODAY - timedelta(days=20))
    new = make_milestone(stream, manager, title="New slip", due_date=TODAY - timedelta(days=2))
    make_milestone(stream, manager, title="Ahead", due_date=TODAY + timedelta(days=5))
    return old, new


def test_slipped_milestones_feed_the_health_score(partnership, manager):
    _slipped_plan(partnership, manager)
    ids = [partnership.pk]
    read = read_together(selectors.health_input_reads(ids, today=TODAY))
    assert selectors.health_inputs_from(read, ids) == {partnership.pk: {"slipped_milestones": 2}}
    [snapshot] = compute_health(ids, today=TODAY)
    part = next(c for c in snapshot.components if c["key"] == "integration")
    assert part["points"] == 4 and part["detail"] == "2 milestones slipped."


def test_the_digest_lists_what_slipped_this_week(partnership, manager):
    _slipped_plan(partnership, manager)
    end = datetime.combine(TODAY, datetime.min.time(), tzinfo=LONDON)
    section = slipped_this_week(manager, [partnership.pk], end - timedelta(days=7), end)
    assert [i.text for i in section.items] == [f"{partnership.title}: New slip"]
    assert section.items[0].badge == "Slipped"
    assert slipped_this_week(manager, [], end - timedelta(days=7), end) is None


def test_my_work_lists_the_users_milestones_and_completes_them(partnership, manager):
    old, new = _slipped_plan(partnership, manager)
    dependent = make_milestone(
        old.workstream, manager, title="After", due_date=TODAY + timedelta(days=9), depends_on=[old]
    )
    titles = [i.title for i in items_for(manager, TODAY, kind="integration.milestones")]
    assert titles == ["Old slip", "New slip", "Ahead", "After"]
    # Done from "My work" only when what it depends on is done.
    assert change(manager, "integration.milestones", dependent.pk, done=True) is None
    item = change(manager, "integration.milestones", old.pk, done=True)
    assert item.done
    assert change(manager, "integration.milestones", dependent.pk, done=True).done
    assert not change(manager, "integration.milestones", old.pk, done=False).done


def test_the_demo_gives_active_partnerships_plans_in_different_states(db, manager, coo):
    active = [
        Partnership.objects.create(
            partner=Partnership._meta.get_field("partner").related_model.objects.create(
                name=f"Demo partner {i}"
            ),
            title=f"Demo {i}",
            type=Partnership.Type.JOINT_VENTURE,
            stage=Stage.ACTIVE,
            owner=manager,
        )
        for i in range(4)
    ]
    for p in active:
        p.partner.contacts.create(name=f"Contact of {p.title}")
    ctx = {"users": {"coo": coo}, "partnerships": {p.title: p for p in active}}
    demo.seed_integration(ctx, today=TODAY)
    demo.seed_integration(ctx, today=TODAY)  # idempotent
    slipped = {
        p.title: selectors.slipped(TODAY).filter(workstream__partnership=p).count() for p in active
    }
    assert slipped["Demo 0"] == 0 and slipped["Demo 1"] > 0 and slipped["Demo 3"] == 0
    assert (
        Milestone.objects.filter(workstream__partnership=active[2])
        .exclude(override_reason="")
        .exists()
    )
    assert Workstream.objects.filter(partnership=active[1], rag="red").exists()
    assert Milestone.objects.filter(owner_contact__isnull=False).exists()
    counts = {p.title: Workstream.objects.filter(partnership=p).count() for p in active}
    assert set(counts.values()) == {6}


def test_slipped_milestones_put_a_partnership_first_among_equals(db, manager):
    from integration.portfolio import slipped_count
    from tests.factories import make_partnership

    calm = make_partnership(title="Calm", owner=manager)
    late = make_partnership(title="Late", owner=manager)
    _slipped_plan(late, manager)
    order = Partnership.objects.filter(pk__in=[calm.pk, late.pk]).annotate(
        slipped=slipped_count(TODAY)
    )
    assert {p.title: p.slipped for p in order} == {"Calm": 0, "Late": 2}
    assert [p.title for p in order.order_by("-slipped")] == ["Late", "Calm"]
