"""Each event source writes exactly one delivery per webhook following its event, in the
transaction of the change, and none for the webhooks that do not follow it."""

import json
from datetime import date, timedelta

import pytest
from django.db import transaction

from contracts import services as contracts
from contracts.overdue import report_overdue
from kpis.snapshots import recompute
from outbox.models import Kind, Message
from partnerships.models import Stage
from partnerships.stages import StageMoveRefused, move_partnership
from tests.clock import TODAY
from tests.contracts.conftest import make_agreement, make_obligation
from tests.kpis.conftest import make_kpi, measure
from webhooks.models import Event

from .conftest import make_webhook

ALERTS = [Event.ALERT_OPENED, Event.ALERT_ESCALATED, Event.ALERT_RESOLVED]


def delivered(hook):
    """The events written for ``hook``, oldest first."""
    rows = Message.objects.filter(origin=f"webhook:{hook.pk}", kind=Kind.WEBHOOK)
    return [m.payload["event"] for m in rows.order_by("pk")]


def bodies(hook):
    rows = Message.objects.filter(origin=f"webhook:{hook.pk}").order_by("pk")
    return [json.loads(m.text) for m in rows]


@pytest.fixture
def hooks(db):
    return {
        "alerts": make_webhook(events=ALERTS, name="alerts"),
        "opened": make_webhook(events=[Event.ALERT_OPENED], name="opened only"),
        "stages": make_webhook(events=[Event.STAGE_MOVED], name="stages"),
        "overdue": make_webhook(events=[Event.OBLIGATION_OVERDUE], name="overdue"),
        "off": make_webhook(events=Event.values, name="off", is_active=False),
    }


def _month(kpi, month, value):
    measure(kpi, date(2024, month, 1), value)
    recompute([kpi.pk], today=date(2024, month + 1, 3))


def test_alert_opened_escalated_resolved(partnership, hooks):
    kpi = make_kpi(partnership, name="Joint pipeline")
    _month(kpi, 1, 85)  # opens
    _month(kpi, 2, 85)  # no change: nothing new
    _month(kpi, 3, 70)  # escalates
    _month(kpi, 4, 85)  # improves: not an event webhooks follow
    _month(kpi, 5, 95)  # resolves
    assert delivered(hooks["alerts"]) == ["alert.opened", "alert.escalated", "alert.resolved"]
    assert delivered(hooks["opened"]) == ["alert.opened"]
    for other in ("stages", "overdue", "off"):
        assert delivered(hooks[other]) == []
    opened, escalated, resolved = bodies(hooks["alerts"])
    assert opened["kpi"]["name"] == "Joint pipeline"
    assert (opened["kpi"]["value"], opened["kpi"]["target"]) == ("85", "100")
    assert opened["alert"]["status"] == "at_risk"
    assert escalated["alert"]["status"] == "off_track"
    assert resolved["alert"]["status"] == "on_track"
    assert opened["url"].endswith(f"/kpis/alerts/{opened['alert']['id']}/")
    assert opened["partnership"] == {
        "id": partnership.pk,
        "title": partnership.title,
        "url": opened["partnership"]["url"],
    }


def test_a_recompute_without_notifications_reports_nothing(partnership, hooks):
    kpi = make_kpi(partnership)
    measure(kpi, date(2024, 1, 1), 70)
    recompute([kpi.pk], today=date(2024, 2, 3), notify=False)  # a backfill
    assert not Message.objects.filter(kind=Kind.WEBHOOK).exists()


def test_stage_move(partnership, hooks, coo):
    move_partnership(
        partnership, Stage.DUE_DILIGENCE, by=coo, reason="The partner passed the first review."
    )
    assert delivered(hooks["stages"]) == ["partnership.stage_moved"]
    for other in ("alerts", "opened", "overdue", "off"):
        assert delivered(hooks[other]) == []
    (body,) = bodies(hooks["stages"])
    assert body["stage"]["from"] == "prospect" and body["stage"]["to"] == "due_diligence"
    assert body["partnership"]["id"] == partnership.pk


def test_a_refused_stage_move_reports_nothing(partnership, hooks, coo):
    with pytest.raises(StageMoveRefused):
        move_partnership(partnership, Stage.ACTIVE, by=coo)
    assert delivered(hooks["stages"]) == []


def test_a_stage_move_rolled_back_takes_its_delivery_with_it(partnership, hooks, coo):
    with pytest.raises(RuntimeError), transaction.atomic():
        move_partnership(
            partnership, Stage.DUE_DILIGENCE, by=coo, reason="The partner passed the review."
        )
        assert delivered(hooks["stages"]) == ["partnership.stage_moved"]
        raise RuntimeError("the caller fails after the move")
    assert delivered(hooks["stages"]) == []


def test_obligation_overdue_once_per_occurrence(partnership, hooks, manager):
    agreement = make_agreement(partnership)
    late = make_obligation(
        agreement, manager, recurrence="one_off", first_due=TODAY - timedelta(days=2)
    )
    make_obligation(  # overdue long before the job could have seen it: not reported
        agreement,
        manager,
        description="Old report",
        recurrence="one_off",
        first_due=TODAY - timedelta(days=30),
    )
    kept = make_obligation(
        agreement,
        manager,
        description="Kept report",
        recurrence="one_off",
        first_due=TODAY - timedelta(days=1),
    )
    contracts.occurrence_fulfil(obligation=kept, due_date=kept.first_due, by=manager)
    make_obligation(  # due today: not overdue yet
        agreement, manager, description="Today", recurrence="one_off", first_due=TODAY
    )
    assert report_overdue(today=TODAY) == 1
    assert report_overdue(today=TODAY) == 1  # offered again, written once (the outbox key)
    assert report_overdue(today=TODAY + timedelta(days=1)) == 2  # today's one is late now
    assert delivered(hooks["overdue"]) == ["obligation.overdue", "obligation.overdue"]
    for other in ("alerts", "opened", "stages", "off"):
        assert delivered(hooks[other]) == []
    first = bodies(hooks["overdue"])[0]
    assert first["obligation"]["id"] == late.pk
    assert first["obligation"]["days_overdue"] == 2


def test_nothing_is_read_when_no_webhook_follows(partnership, django_assert_num_queries):
    make_webhook(events=[Event.STAGE_MOVED])
    with django_assert_num_queries(3):  # the check, inside its savepoint
        assert report_overdue(today=TODAY) == 0
