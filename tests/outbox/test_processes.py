"""The outbox across real processes: worker processes killed with SIGKILL, a real SMTP server,
a broker that cannot be reached. Rows must be committed for the other processes to see them."""

import io
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from outbox import backoff, services
from outbox.models import Message, Status
from outbox.senders import message_id
from tests import db as test_db
from tests.processes import (
    celery_broker_fixture,  # noqa: F401 (the fixtures)
    start_celery_worker_fixture,  # noqa: F401
)

from .conftest import free_port

# Real worker processes read the machine's clock, so this side does too.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_clock]


def process_env(**extra):
    """This test's database (the test copy) and Redis DB, for a child process."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "TEST_DATABASE_URL": test_db.url(),
        "TEST_REDIS_URL": settings.REDIS_URL,
    }
    env.update(extra)
    return env


@pytest.fixture
def start_worker():
    """Start ``manage.py deliver_outbox`` processes; any still running at the end is killed."""
    started = []

    def start(env, *args):
        process = subprocess.Popen(
            [sys.executable, "manage.py", "deliver_outbox", *args],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()  # reaps it and closes its pipes


def make_messages(n):
    """Rows as enqueue_email writes them, without its on-commit kick (tasks run eagerly here,
    and these rows are for the worker processes)."""
    now = timezone.now()
    return Message.objects.bulk_create(
        Message(
            recipient=f"partner{i}@example.com",
            subject=f"Invitation {i}",
            text="Welcome to the partner portal.",
            created_at=now,
            next_attempt_at=now,
            give_up_at=now + backoff.give_up_after(),
        )
        for i in range(n)
    )


def wait_until(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_worker_killed_halfway_is_taken_over_and_nothing_is_sent_twice(smtp, start_worker):
    total, batch, lease = 60, 25, 5
    messages = make_messages(total)
    env = process_env(EMAIL_URL=smtp.url, OUTBOX_LEASE_SECONDS=str(lease))
    first = start_worker(env, "--limit", str(batch))

    # Halfway, in the middle of an SMTP conversation, the worker dies: SIGKILL to its own PID,
    # before the server accepts the message it is sending (which it therefore never receives).
    killed = []

    def kill_halfway(received):
        if received == total // 2 and not killed:
            killed.append(first.pid)
            os.kill(first.pid, signal.SIGKILL)
            return "451 4.3.0 Connection lost"
        return None

    smtp.inbox.on_data = kill_halfway
    assert first.wait(timeout=60) == -signal.SIGKILL
    assert len(smtp.inbox) == total // 2

    # The dead worker still holds a claim on the rest of its batch.
    orphans = Message.objects.filter(status=Status.SENDING)
    dead = set(orphans.values_list("claimed_by", flat=True))
    orphan_ids = set(orphans.values_list("pk", flat=True))
    assert len(orphan_ids) == 2 * batch - total // 2 and len(dead) == 1
    assert Message.objects.filter(status=Status.SENT).count() == total // 2

    # Two new workers side by side, once the dead one's lease has run out.
    expiry = max(orphans.values_list("lease_until", flat=True))
    time.sleep(max((expiry - timezone.now()).total_seconds(), 0) + 0.2)
    heirs = [start_worker(env, "--limit", "7") for _ in range(2)]
    for heir in heirs:
        out, err = heir.communicate(timeout=60)
        assert heir.returncode == 0, err

    # Each of ours exactly once, and nothing twice. (In random order one message written by an
    # earlier test as it ended has been seen to arrive too; it is not one of ours.)
    received = smtp.inbox.message_ids()
    assert {message_id(m): received[message_id(m)] for m in messages} == {
        message_id(m): 1 for m in messages
    }
    assert set(received.values()) == {1}
    assert (
        Message.objects.filter(pk__in=[m.pk for m in messages], status=Status.SENT).count() == total
    )
    assert (
        not Message.objects.filter(pk__in=[m.pk for m in messages])
        .exclude(status=Status.SENT)
        .exists()
    )
    taken_over = Message.objects.filter(pk__in=orphan_ids)
    assert set(taken_over.values_list("attempts", flat=True)) == {2}
    assert not taken_over.filter(claimed_by__in=dead).exists()


def test_enqueue_commits_when_the_broker_is_down():
    env = process_env(
        TEST_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", CELERY_TASK_ALWAYS_EAGER="false"
    )
    code = (
        "import time, django\n"
        "django.setup()\n"
        "from django.db import transaction\n"
        "from outbox.services import enqueue_email\n"
        "started = time.monotonic()\n"
        "with transaction.atomic():\n"
        "    message = enqueue_email(to='a@example.com', subject='Invite', text='Hi', key='k1')\n"
        "print(message.pk, time.monotonic() - started)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    pk, seconds = run.stdout.split()
    assert float(seconds) < 5, "the page would have waited for the broker"
    assert "the periodic sweep will deliver" in run.stderr
    message = Message.objects.get(pk=pk)
    assert message.status == Status.PENDING and message.key == "k1"
    # The sweep (the same task beat runs every minute) delivers it.
    assert services.deliver_due() == 1


def test_enqueue_reaches_a_real_celery_worker_on_commit(real_worker, smtp):
    with transaction.atomic():
        message = services.enqueue_email(to="a@example.com", subject="Invite", text="Hi")
    wait_until(lambda: Message.objects.get(pk=message.pk).status == Status.SENT)
    assert smtp.inbox.message_ids() == {message_id(message): 1}


def test_deliver_outbox_once_delivers_one_batch(smtp):
    make_messages(5)
    out = io.StringIO()
    call_command("deliver_outbox", "--once", "--limit", "2", stdout=out)
    assert out.getvalue().strip() == "2 sent"
    assert len(smtp.inbox) == 2
    assert Message.objects.filter(status=Status.PENDING).count() == 3
    call_command("deliver_outbox", stdout=out)
    assert len(smtp.inbox) == 5


def test_a_celery_worker_killed_halfway_is_replaced_and_nothing_is_sent_twice(
    smtp, celery_broker, start_celery_worker
):
    from config import celery_app

    total = 40
    messages = make_messages(total)
    env = process_env(
        EMAIL_URL=smtp.url,
        CELERY_TASK_ALWAYS_EAGER="false",
        OUTBOX_LEASE_SECONDS="5",
        OUTBOX_BATCH="10",
    )
    first = start_celery_worker(env)
    killed = []

    def kill_halfway(received):
        if received == total // 2 and not killed:
            killed.append(first.pid)
            os.kill(first.pid, signal.SIGKILL)
            return "451 4.3.0 Connection lost"
        return None

    smtp.inbox.on_data = kill_halfway
    # What the on-commit kick or the beat sweep sends: here, straight to the broker.
    celery_app.send_task("outbox.deliver", ignore_result=True)
    assert first.wait(timeout=120) == -signal.SIGKILL
    orphans = Message.objects.filter(status=Status.SENDING)
    assert orphans.exists()

    second = start_celery_worker(env)
    expiry = max(orphans.values_list("lease_until", flat=True))
    time.sleep(max((expiry - timezone.now()).total_seconds(), 0) + 0.2)
    celery_app.send_task("outbox.deliver", ignore_result=True)  # the next minute's sweep
    wait_until(lambda: Message.objects.filter(status=Status.SENT).count() == total, 120)
    second.terminate()
    second.wait(timeout=60)

    assert smtp.inbox.message_ids() == {message_id(m): 1 for m in messages}
    assert not Message.objects.exclude(status=Status.SENT).exists()


def test_a_delivery_kicked_during_a_fan_out_is_not_queued_behind_it(
    smtp, celery_broker, start_celery_worker
):
    """Deliveries have a queue of their own, which a worker started without -Q takes from in
    turn with the default one: the email goes out while the fan-out's writes still wait."""
    from config import celery_app

    writes = 50
    [message] = make_messages(1)
    for _ in range(writes):  # a fan-out's writes, of digests that are gone (each a no-op)
        celery_app.send_task("digests.write_digests", args=([10**9],), ignore_result=True)
    celery_app.send_task("outbox.deliver", ignore_result=True)  # the kick of an alert's commit
    # Each task in its own queue, once.
    assert (celery_broker.llen("celery"), celery_broker.llen("outbox")) == (writes, 1)

    waiting_at_send = []
    smtp.inbox.on_data = lambda received: waiting_at_send.append(celery_broker.llen("celery"))
    worker = start_celery_worker(process_env(EMAIL_URL=smtp.url, CELERY_TASK_ALWAYS_EAGER="false"))
    wait_until(lambda: Message.objects.get(pk=message.pk).status == Status.SENT, 60)
    wait_until(lambda: celery_broker.llen("celery") == 0, 60)  # the writes all ran after all
    worker.terminate()
    worker.wait(timeout=60)

    assert smtp.inbox.message_ids() == {message_id(message): 1}
    # Sent with (nearly) all the writes still queued, not after them: one may have been taken
    # before the kick, and one more reserved.
    assert waiting_at_send and waiting_at_send[0] >= writes - 2, waiting_at_send
