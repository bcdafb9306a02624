"""Emails in flight when the outbox took over: the data migrations put records the old senders
had left claimed ('sending') back to pending, and the jobs then write them to the outbox once,
skipping recipients already served."""

import importlib
from datetime import UTC, datetime

import pytest
from django.apps import apps

from digests import services as digest_services
from digests.models import DeliveryStatus, Digest
from kpis import tasks as kpi_tasks
from kpis.models import AlertNotification
from kpis.snapshots import recompute
from outbox.models import Message
from outbox.services import deliver_due
from tests.factories import make_user
from tests.kpis.conftest import make_kpi, measure

pytestmark = pytest.mark.django_db


def migration(app, name):
    return importlib.import_module(f"{app}.migrations.{name}")


def test_a_notification_left_sending_is_finished_for_the_recipients_not_yet_served(
    partnership, manager, smtp, frozen
):
    make_user("coo", "Executive")
    kpi = make_kpi(partnership)
    measure(kpi, datetime(2024, 1, 1).date(), 60)
    recompute([kpi.pk], today=datetime(2024, 2, 3).date(), notify=False)
    notification = AlertNotification.objects.get()
    # As the old sender left it when its worker died: claimed, one of two recipients served.
    notification.state, notification.attempts = "sending", 1
    notification.recipients = ["coo@example.com", "manager@example.com"]
    notification.delivered = ["coo@example.com"]
    notification.save()
    spent = AlertNotification.objects.create(
        event=notification.event.alert.events.create(kind="escalated", severity="off_track"),
        recipients=["coo@example.com"],
        state="failed",
        attempts=5,
    )

    migration("kpis", "0010_requeue_interrupted_notifications").requeue(apps, None)
    notification.refresh_from_db()
    assert notification.state == "pending"
    assert AlertNotification.objects.get(pk=spent.pk).state == "failed"  # its budget was spent

    assert kpi_tasks.send_pending_notifications() == 1
    assert deliver_due() == 1
    assert [str(m["To"]) for m in smtp.inbox.received] == ["manager@example.com"]
    notification.refresh_from_db()
    assert notification.state == "sent"
    assert notification.delivered == ["coo@example.com", "manager@example.com"]


def test_a_digest_left_sending_is_written_and_sent_once(partnership, coo, smtp, frozen):
    frozen.move_to(datetime(2026, 11, 23, 7, 5, tzinfo=UTC))  # Monday: London digests due
    schedule = digest_services.schedule_due_for(coo, datetime(2026, 11, 23, 7, 5, tzinfo=UTC))
    digest, _ = digest_services.digest_record(user=coo, schedule=schedule)
    Digest.objects.filter(pk=digest.pk).update(status="sending", attempts=1)

    migration("digests", "0002_requeue_interrupted_deliveries").requeue(apps, None)
    assert Digest.objects.get(pk=digest.pk).status == DeliveryStatus.PENDING
    assert digest.pk in digest_services.digest_fan_out()  # with the team's own digests
    assert digest_services.digest_fan_out() == []
    deliver_due()
    assert Message.objects.filter(origin=f"digest:{digest.pk}").count() == 1
    assert Digest.objects.get(pk=digest.pk).status == DeliveryStatus.SENT
    assert [str(m["To"]) for m in smtp.inbox.received].count(coo.email) == 1
