"""Alerts: the rule, open/escalate/resolve sequences, one open alert per KPI under concurrency,
and emails caught by a real SMTP server."""

import socket
import threading
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from aiosmtpd.controller import Controller
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kpis import alerts, services, tasks
from kpis.alerts import ESCALATE, IMPROVE, OPEN, RESOLVE, transition
from kpis.models import Alert, AlertEvent, AlertNotification, Checkpoint
from kpis.snapshots import recompute
from outbox import services as outbox_services
from outbox.models import Message
from outbox.services import deliver_due
from tests.factories import make_partner, make_partnership, make_user

from .conftest import make_kpi, measure


@pytest.mark.parametrize(
    ("severity", "status", "move"),
    [
        (None, "on_track", None),
        (None, "no_data", None),
        (None, None, None),
        (None, "at_risk", OPEN),
        (None, "off_track", OPEN),
        ("at_risk", "at_risk", None),
        ("at_risk", "off_track", ESCALATE),
        ("at_risk", "on_track", RESOLVE),
        ("at_risk", "no_data", None),
        ("off_track", "off_track", None),
        ("off_track", "at_risk", IMPROVE),
        ("off_track", "on_track", RESOLVE),
        ("off_track", "no_data", None),
    ],
)
def test_transition_rule(severity, status, move):
    assert transition(severity, status) == move


def _month(kpi, month, value):
    measure(kpi, date(2024, month, 1), value)
    recompute([kpi.pk], today=date(2024, month + 1, 3))
    return Alert.objects.filter(kpi=kpi).order_by("pk")


def test_open_escalate_improve_resolve_and_reopen(partnership):
    kpi = make_kpi(partnership)
    assert not _month(kpi, 1, 100).exists()
    (alert,) = _month(kpi, 2, 85)  # at risk: opens
    assert (alert.severity, alert.state) == ("at_risk", "open")
    (alert,) = _month(kpi, 3, 70)  # worse: escalates
    assert (alert.severity, alert.peak_severity) == ("off_track", "off_track")
    assert alert.escalated_at is not None
    (alert,) = _month(kpi, 4, 85)  # better but not on track: stays open, eases
    assert (alert.severity, alert.state) == ("at_risk", "open")
    (alert,) = _month(kpi, 5, 92)  # on track: resolves itself
    assert alert.state == "resolved" and alert.resolved_period == date(2024, 5, 1)
    assert alert.resolution == alerts.RECOVERED
    first, second = _month(kpi, 6, 60)  # a new breach is a new alert
    assert second.severity == "off_track" and second.is_open and not first.is_open
    kinds = list(AlertEvent.objects.filter(alert=first).values_list("kind", flat=True))
    assert kinds == ["opened", "escalated", "improved", "resolved"]


def test_no_data_neither_opens_nor_resolves(partnership):
    kpi = make_kpi(partnership)
    (alert,) = _month(kpi, 1, 60)
    recompute([kpi.pk], today=date(2024, 4, 3))  # February and March closed without values
    alert.refresh_from_db()
    assert alert.is_open and alert.severity == "off_track"


def test_escalation_reopens_an_acknowledged_alert(partnership, manager):
    kpi = make_kpi(partnership)
    (alert,) = _month(kpi, 1, 85)
    services.alert_acknowledge(alert=alert, by=manager, comment="Looking into it.")
    alert.refresh_from_db()
    assert alert.state == "acknowledged"
    (alert,) = _month(kpi, 2, 60)
    assert alert.state == "open"  # needs a fresh look
    assert alert.acknowledgement == "Looking into it."


def test_the_database_allows_one_open_alert_per_kpi(partnership):
    kpi = make_kpi(partnership)
    fields = {
        "kpi": kpi,
        "partnership": partnership,
        "severity": "at_risk",
        "peak_severity": "at_risk",
        "opened_period": date(2024, 1, 1),
    }
    Alert.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(**fields)
    Alert.objects.update(state="resolved", resolved_at=timezone.now())
    Alert.objects.create(**fields)  # a resolved one does not count
    assert Alert.objects.count() == 2


def test_checkpoints_record_whether_the_kpi_recovered(partnership, manager):
    kpi = make_kpi(partnership)
    (alert,) = _month(kpi, 1, 70)
    action = services.action_create(
        alert=alert,
        by=manager,
        description="Fix it",
        owner=manager,
        due_date=date(2024, 3, 1),
        now=timezone.make_aware(timezone.datetime(2024, 2, 3, 9)),
    )
    assert list(action.checkpoints.values_list("days", "due_on")) == [
        (30, date(2024, 3, 4)),
        (60, date(2024, 4, 3)),
        (90, date(2024, 5, 3)),
    ]
    measure(kpi, date(2024, 2, 1), 75)
    recompute([kpi.pk], today=date(2024, 3, 5))
    measure(kpi, date(2024, 3, 1), 99)
    recompute([kpi.pk], today=date(2024, 4, 5))
    got = list(Checkpoint.objects.filter(action=action).values_list("days", "recovered", "status"))
    assert got == [(30, False, "off_track"), (60, True, "on_track"), (90, None, "")]
    assert action.is_overdue(date(2024, 3, 2))


# Concurrency ---------------------------------------------------------------------------------


def _in_thread(fn, errors):
    def run():
        try:
            fn()
        except Exception as error:  # pragma: no cover - reported by the test
            errors.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_recomputes_open_one_alert(monkeypatch):
    partnership = make_partnership(partner=make_partner(), owner=make_user("owner1"))
    kpi = make_kpi(partnership)
    measure(kpi, date(2024, 1, 1), 60)
    errors = []
    threads = [
        _in_thread(lambda: recompute([kpi.pk], today=date(2024, 2, 3)), errors) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert Alert.objects.filter(kpi=kpi).count() == 1
    assert AlertEvent.objects.filter(alert__kpi=kpi, kind="opened").count() == 1
    assert AlertNotification.objects.filter(event__alert__kpi=kpi).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_constraint_holds_when_two_writers_race_past_the_check(monkeypatch):
    """Bypass the KPI lock: both writers see no open alert, both insert; one wins."""
    partnership = make_partnership(partner=make_partner(), owner=None)
    kpi = make_kpi(partnership)
    barrier = threading.Barrier(2, timeout=10)
    real = alerts.transition

    def both_have_looked(severity, status):
        barrier.wait()  # each writer has read "no open alert" before either writes
        return real(severity, status)

    monkeypatch.setattr(alerts, "transition", both_have_looked)
    latest = {
        kpi.pk: {
            "status": "off_track",
            "period": date(2024, 1, 1),
            "value": Decimal("60"),
            "partnership_id": partnership.pk,
        }
    }
    created = []

    def writer():
        with transaction.atomic():
            created.append(
                alerts.evaluate(
                    active_ids=[kpi.pk], inactive_ids=[], latest=latest, now=timezone.now()
                )
            )
            time.sleep(0.2)  # hold the row until the other writer has tried

    errors = []
    threads = [_in_thread(writer, errors) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert Alert.objects.filter(kpi=kpi).count() == 1
    assert sorted(len(events) for events in created) == [0, 1]
    assert AlertEvent.objects.filter(kind="opened").count() == 1


# Emails --------------------------------------------------------------------------------------


class Inbox:
    def __init__(self):
        self.messages = []
        self.refuse = set()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        if set(envelope.rcpt_tos) & self.refuse:
            return "550 5.1.1 No such user"
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf8", errors="replace")))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port},
        }
    }
    yield inbox
    controller.stop()


@pytest.fixture
def people(partnership, manager, coo):
    make_user("ceo", "Executive")
    make_user("nomail", "Executive").__class__.objects.filter(username="nomail").update(email="")
    return partnership


def _recipients(inbox):
    return sorted(r for rcpts, _ in inbox.messages for r in rcpts)


def test_opening_and_escalation_email_owner_and_executives_once(
    people, smtp, django_capture_on_commit_callbacks
):
    kpi = make_kpi(people, name="Joint revenue")
    measure(kpi, date(2024, 1, 1), 85)
    with django_capture_on_commit_callbacks(execute=True):
        recompute([kpi.pk], today=date(2024, 2, 3))
    assert _recipients(smtp) == ["ceo@example.com", "coo@example.com", "manager@example.com"]
    _, content = smtp.messages[0]
    assert "Joint revenue is at risk" in content
    assert "text/html" in content and "/kpis/alerts/" in content

    smtp.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        recompute([kpi.pk], today=date(2024, 2, 3))  # nothing changed
        recompute([kpi.pk], today=date(2024, 2, 20))
    assert smtp.messages == []

    measure(kpi, date(2024, 2, 1), 60)
    with django_capture_on_commit_callbacks(execute=True):
        recompute([kpi.pk], today=date(2024, 3, 3))
    assert len(smtp.messages) == 3
    assert "Escalated" in smtp.messages[0][1]

    smtp.messages.clear()
    measure(kpi, date(2024, 3, 1), 99)
    with django_capture_on_commit_callbacks(execute=True):
        recompute([kpi.pk], today=date(2024, 4, 3))  # resolving sends nothing
    assert smtp.messages == []
    assert set(AlertNotification.objects.values_list("state", flat=True)) == {"sent"}
    notification = AlertNotification.objects.first()
    assert sorted(notification.delivered) == sorted(notification.recipients)
    # Writing the same notification again is a no-op: its emails are in the outbox already.
    written = Message.objects.count()
    with transaction.atomic():
        assert alerts.enqueue_notifications([notification.pk]) == 0
    AlertNotification.objects.filter(pk=notification.pk).update(state="pending")
    with transaction.atomic():
        alerts.enqueue_notifications([notification.pk])
    assert Message.objects.count() == written


def test_a_failed_send_is_retried_without_duplicates(people, settings, smtp, clock):
    good = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    kpi = make_kpi(people)
    measure(kpi, date(2024, 1, 1), 60)
    recompute([kpi.pk], today=date(2024, 2, 3))
    deliver_due()  # SMTP is down: each email waits for its next attempt
    notification = AlertNotification.objects.get()
    assert notification.state == "pending" and "ConnectionRefusedError" in notification.last_error
    assert set(Message.objects.values_list("status", flat=True)) == {"pending"}

    settings.MAILERS = good
    clock.move_to(timezone.now() + timedelta(minutes=5))
    assert deliver_due() == 3
    assert deliver_due() == 0
    assert len(smtp.messages) == 3
    notification.refresh_from_db()
    assert notification.state == "sent" and notification.last_error == ""
    assert sorted(notification.delivered) == _recipients(smtp)


def test_a_notification_fails_when_one_email_fails_for_good_and_the_retry_serves_only_it(
    people, smtp
):
    refused = "manager@example.com"
    smtp.refuse = {refused}
    kpi = make_kpi(people)
    measure(kpi, date(2024, 1, 1), 60)
    recompute([kpi.pk], today=date(2024, 2, 3))
    deliver_due()
    notification = AlertNotification.objects.get()
    assert notification.state == "failed" and "550" in notification.last_error
    assert refused not in notification.delivered and len(notification.delivered) == 2

    smtp.refuse = set()
    failed = Message.objects.filter(status="failed")
    assert outbox_services.retry_now(list(failed.values_list("pk", flat=True))) == 1
    notification.refresh_from_db()
    assert notification.state == "pending"
    assert deliver_due() == 1
    notification.refresh_from_db()
    assert notification.state == "sent" and refused in notification.delivered
    assert _recipients(smtp) == ["ceo@example.com", "coo@example.com", refused]


def test_notifications_recorded_before_the_outbox_are_written_once(people, smtp):
    kpi = make_kpi(people)
    measure(kpi, date(2024, 1, 1), 60)
    recompute([kpi.pk], today=date(2024, 2, 3), notify=False)
    # As the upgrade leaves one the old sender had half served: pending, one recipient done.
    notification = AlertNotification.objects.get()
    notification.state, notification.delivered = "pending", ["ceo@example.com"]
    notification.recipients = ["ceo@example.com", "coo@example.com", "manager@example.com"]
    notification.save()
    assert tasks.send_pending_notifications() == 1
    assert tasks.send_pending_notifications() == 0
    deliver_due()
    assert _recipients(smtp) == ["coo@example.com", "manager@example.com"]
    notification.refresh_from_db()
    assert notification.state == "sent"
    assert notification.delivered == sorted(notification.recipients)


def test_backfills_record_notifications_without_sending(people, smtp):
    kpi = make_kpi(people)
    measure(kpi, date(2024, 1, 1), 60)
    recompute([kpi.pk], today=date(2024, 2, 3), notify=False)
    assert AlertNotification.objects.get().state == "suppressed"
    assert not Message.objects.exists()
    assert tasks.send_pending_notifications() == 0


def test_alert_emails_follow_the_escalation_path(
    people, smtp, manager, django_capture_on_commit_callbacks
):
    """Opening: the owner and the path's first step; each escalation: the next step; the
    executives only once the path is exhausted."""
    from governance.models import GovernanceRole

    lead = make_user("lead", "Partner manager")
    director = make_user("director", "Partner manager")
    for step, user in ((1, lead), (2, director)):
        GovernanceRole.objects.create(
            partnership=people,
            kind="executive_sponsor" if step == 2 else "operational_lead",
            level="operational",
            user=user,
            escalation_step=step,
        )
    kpi = make_kpi(people, name="Joint revenue")
    measure(kpi, date(2024, 1, 1), 85)  # at risk: opens
    with django_capture_on_commit_callbacks(execute=True):
        recompute([kpi.pk], today=date(2024, 2, 3))
    assert _recipients(smtp) == ["lead@example.com", "manager@example.com"]

    smtp.messages.clear()
    measure(kpi, date(2024, 2, 1), 60)  # off track: the first escalation
    with django_capture_on_commit_callbacks(execute=True):
        recompute([kpi.pk], today=date(2024, 3, 3))
    assert _recipients(smtp) == ["director@example.com", "lead@example.com", "manager@example.com"]

    smtp.messages.clear()
    measure(kpi, date(2024, 3, 1), 85)  # improves to at risk: no email
    with django_capture_on_commit_callbacks(execute=True):
        recompute([kpi.pk], today=date(2024, 4, 3))
    assert smtp.messages == []
    measure(kpi, date(2024, 4, 1), 60)  # escalates again: past the path, the executives too
    with django_capture_on_commit_callbacks(execute=True):
        recompute([kpi.pk], today=date(2024, 5, 3))
    assert _recipients(smtp) == [
        "ceo@example.com",
        "coo@example.com",
        "director@example.com",
        "lead@example.com",
        "manager@example.com",
    ]
    stored = AlertNotification.objects.order_by("pk").values_list("recipients", flat=True)
    assert [len(r) for r in stored] == [2, 3, 5]


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (0, ["a@x", "owner@x"]),
        (1, ["a@x", "b@x", "owner@x"]),
        (2, ["a@x", "b@x", "exec@x", "owner@x"]),
        (7, ["a@x", "b@x", "exec@x", "owner@x"]),
    ],
)
def test_recipients_rule(level, expected):
    from kpis.escalation import recipients

    got = recipients(owner="owner@x", path=["a@x", "b@x"], level=level, executive_emails=["exec@x"])
    assert got == expected


def test_no_path_means_owner_and_executives_at_once():
    from kpis.escalation import recipients

    assert recipients(owner="o@x", path=[], level=0, executive_emails=["e@x"]) == ["e@x", "o@x"]
    assert recipients(owner="", path=[], level=0, executive_emails=["e@x"]) == ["e@x"]
