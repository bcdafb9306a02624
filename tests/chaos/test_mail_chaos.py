"""Email under faults, with real processes: a Celery worker (or its pool child) killed with
SIGKILL halfway through a batch of alert emails or of digests, and an SMTP server answering 451
for a while. A new worker and the outbox sweep (what beat sends every minute) must then deliver
every email due exactly once, and leave nothing stuck. Each test prints its figures and appends
them to artifacts/chaos-mail.txt."""

import signal
import time
from datetime import date, timedelta

import pytest
from django.utils import timezone

from digests import services as digest_services
from kpis.models import AlertNotification
from kpis.snapshots import recompute
from outbox.models import Message, Status
from partnerships.models import Stage
from tests.factories import make_partnership, make_user
from tests.kpis.conftest import make_kpi, measure
from tests.processes import (
    celery_broker_fixture,  # noqa: F401 (the fixtures)
    children,
    start_celery_worker_fixture,  # noqa: F401
)

from .mail_processes import (
    figures,
    kill_at,
    report,
    smtp_fixture,  # noqa: F401 (the fixture)
    sweep_until,
    wait_until,
    worker_env,
)

# Worker processes read the machine's clock, so this side does too; rows must be committed
# for them to see.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_clock]

ALERT_KPIS = 14  # each opens an alert emailed to the owner and two executives: 42 emails
DIGEST_USERS = 16


def alert_batch(n):
    """``n`` KPIs fall off track in one recompute. Its transaction writes the notifications and
    their outbox emails; its on-commit kick goes to the broker. Returns the recipients."""
    manager = make_user("manager", "Partner manager")
    executives = [make_user(name, "Executive") for name in ("coo", "ceo")]
    for user in (manager, *executives):
        # Their own digests fall due on Monday mornings by default, and this runs on the real
        # clock: a fan-out in the test would then write them too.
        digest_services.preference_unsubscribe(user=user)
    partnership = make_partnership(title="Joint analytics offering", owner=manager)
    kpis = [make_kpi(partnership) for _ in range(n)]
    for kpi in kpis:
        measure(kpi, date(2024, 1, 1), 60)
    recompute([kpi.pk for kpi in kpis], today=date(2024, 2, 3))
    return [manager.email] + [user.email for user in executives]


def digest_batch(n):
    """``n`` executives whose Monday-or-whatever-today-is digest fell due five minutes ago:
    the hourly job writes each to the outbox (one transaction each, each kicking delivery)."""
    moment = timezone.now() - timedelta(minutes=5)
    make_partnership(title="Cloud co-sell alliance", stage=Stage.ACTIVE)
    users = [make_user(f"exec{i}", "Executive") for i in range(n)]
    for user in users:
        digest_services.preference_save(
            user=user,
            weekday=moment.weekday(),
            send_time=moment.time().replace(second=0, microsecond=0),
            time_zone="UTC",
            last_seen_on=moment.date(),
        )
    assert len(digest_services.digest_fan_out()) == n
    return [user.email for user in users]


def all_sent():
    return Message.objects.exists() and not Message.objects.exclude(status=Status.SENT).exists()


def check_delivered_once(capsys, name, smtp, expected_per_recipient, **more):
    messages = list(Message.objects.all())
    due, delivered, duplicated, stuck = figures(messages, smtp)
    report(capsys, name, due=due, delivered=delivered, duplicated=duplicated, stuck=stuck, **more)
    assert (delivered, duplicated, stuck) == (due, 0, 0)
    assert dict(smtp.by_recipient()) == expected_per_recipient


@pytest.mark.parametrize("victim", ["worker", "pool child"])
@pytest.mark.parametrize("batch", ["alert emails", "digests"])
def test_mail_a_sender_killed_mid_batch_loses_and_duplicates_nothing(
    batch, victim, smtp, celery_broker, start_celery_worker, capsys
):
    env = worker_env(smtp)
    # solo: the worker process itself sends; prefork: its one pool child does.
    first = start_celery_worker(env, "solo" if victim == "worker" else "prefork")
    due = ALERT_KPIS * 3 if batch == "alert emails" else DIGEST_USERS
    target = (lambda: first.pid) if victim == "worker" else (lambda: children(first.pid)[0])
    killed = kill_at(smtp, due // 2, target)

    if batch == "alert emails":
        recipients = alert_batch(ALERT_KPIS)
        expected = dict.fromkeys(recipients, ALERT_KPIS)
    else:
        expected = dict.fromkeys(digest_batch(DIGEST_USERS), 1)
    assert Message.objects.count() == due

    wait_until(lambda: bool(killed))
    if victim == "worker":
        assert first.wait(timeout=20) == -signal.SIGKILL
    smtp.on_data = None
    orphaned = Message.objects.filter(status=Status.SENDING).count()
    assert orphaned >= 1  # claimed by the dead process: its lease must run out

    start_celery_worker(
        env
    )  # a new worker; the sweep hands it the orphans once their lease is over
    sweep_until(all_sent)
    check_delivered_once(
        capsys, f"{batch}, {victim} killed", smtp, expected, orphaned_at_kill=orphaned
    )
    if batch == "alert emails":
        notifications = AlertNotification.objects.all()
        assert {n.state for n in notifications} == {"sent"}
        assert all(sorted(n.delivered) == sorted(n.recipients) for n in notifications)
    else:
        assert set(digest_services.Digest.objects.values_list("status", flat=True)) == {"sent"}


def test_mail_smtp_refusing_for_a_while_then_accepting(
    smtp, celery_broker, start_celery_worker, capsys
):
    refusing = {}

    def refuse_for_three_seconds(received):
        started = refusing.setdefault("since", time.monotonic())
        if time.monotonic() - started < 3:
            return "451 4.3.0 Mail server busy, try again later"
        return None

    smtp.on_data = refuse_for_three_seconds
    start_celery_worker(worker_env(smtp))
    recipients = alert_batch(5)
    digest_users = digest_batch(5)
    sweep_until(all_sent)

    expected = dict.fromkeys(recipients, 5) | dict.fromkeys(digest_users, 1)
    check_delivered_once(capsys, "SMTP 451 for 3 s", smtp, expected, refused=smtp.refused)
    assert smtp.refused >= 1
    assert Message.objects.filter(attempts__gt=1).exists()
    assert not Message.objects.exclude(last_error="").exists()
    assert {n.state for n in AlertNotification.objects.all()} == {"sent"}
    assert set(digest_services.Digest.objects.values_list("status", flat=True)) == {"sent"}
