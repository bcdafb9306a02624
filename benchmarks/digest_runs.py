"""4. Digests: one digest built and rendered, and the Monday fan-out to real SMTP."""

import signal
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from benchmarks import knobs, workers
from benchmarks.measure import (
    executive,
    free_port,
    stats,
    timed,
    vacuum,
)

# 4. Digests ----------------------------------------------------------------------------------


def _monday():
    from django.utils import timezone

    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def bench_digest():
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from benchmarks.generate import MANAGER_USERNAME
    from digests.building import build_digest, render_digest
    from digests.services import schedule_in_week

    User = get_user_model()
    out = {}
    for label, user in (
        ("digest_manager", User.objects.get(username=MANAGER_USERNAME)),
        ("digest_executive", executive()),
    ):
        schedule = schedule_in_week(user, _monday(), force_weekly=True)
        build_digest(user, schedule)  # warm-up

        parts = {"build": [], "render": []}

        def one(user=user, schedule=schedule, parts=parts):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                content = build_digest(user, schedule)
                built = time.perf_counter()
                render_digest(content)
            parts["build"].append(built - start)
            parts["render"].append(time.perf_counter() - built)
            return len(queries), content.partnership_count

        samples, (count, followed) = timed(one, knobs.REPEAT)
        out[label] = {
            "queries": count,
            "follows": followed,
            **stats(samples),
            # The limit speaks of rendering: the template alone is reported too.
            **{f"{part}_median_ms": stats(times)["median_ms"] for part, times in parts.items()},
        }
    return out


class _CountingHandler:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 Message accepted"


def _wait_for_emails(handler, before, ids, label, logs):
    """Until the SMTP server has received the email of every digest handed out that was not
    skipped (its recipient follows nothing). Returns (emails received, digests skipped)."""
    from digests.models import DeliveryStatus, Digest

    deadline = time.monotonic() + knobs.FANOUT_TIMEOUT
    skipped_ones = Digest.objects.filter(pk__in=ids, status=DeliveryStatus.SKIPPED)
    polls = 0
    while True:
        received = handler.count - before
        # The database is asked every 0.2 s only: it serves the workers meanwhile.
        if polls % 10 == 0 or received >= len(ids):
            skipped = skipped_ones.count()
        if received + skipped >= len(ids):
            return received, skipped
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{received} emails and {skipped} skipped of {len(ids)} digests after "
                f"{knobs.FANOUT_TIMEOUT} s with {label}.\n" + workers.log_tails(logs)
            )
        polls += 1
        time.sleep(0.02)


def _phases(started_at, ids):
    """(s until the last digest was written, s until the last email was marked sent)."""
    from django.db.models import Max

    from outbox.models import Message

    last = Message.objects.filter(origin__in=[f"digest:{pk}" for pk in ids]).aggregate(
        written=Max("created_at"), sent=Max("sent_at")
    )
    return tuple(
        round((last[k] - started_at).total_seconds(), 2) if last[k] else None
        for k in ("written", "sent")
    )


def _fanout_recipients(User):
    """The first FANOUT_RECIPIENTS users with an email, the only candidates, each active
    recently (weekly rhythm)."""
    from django.utils import timezone

    recipients = list(
        User.objects.filter(is_active=True)
        .exclude(email="")
        .order_by("pk")[: knobs.FANOUT_RECIPIENTS]
    )
    User.objects.exclude(pk__in=[u.pk for u in recipients]).update(is_active=False)
    User.objects.filter(pk__in=[u.pk for u in recipients]).update(last_login=timezone.now())
    return recipients


def _one_fanout(handler, now, label, logs):
    """One fan-out on the running workers: (wall seconds, emails received, skipped, handed
    out, (last written, last sent))."""
    from django.utils import timezone

    from digests.models import Digest
    from digests.services import digest_fan_out_to_workers
    from outbox.models import Message

    Digest.objects.all().delete()
    Message.objects.filter(origin__startswith="digest:").delete()
    # What autovacuum would have done since the last Monday: the rows deleted here, and the
    # versions the last run's sends left behind, no longer in the way of the claims.
    vacuum(Digest._meta.db_table, Message._meta.db_table)
    before = handler.count
    started_at, start = timezone.now(), time.perf_counter()
    ids = digest_fan_out_to_workers(now=now)
    received, skipped = _wait_for_emails(handler, before, ids, label, logs)
    wall = time.perf_counter() - start
    return wall, received, skipped, len(ids), _phases(started_at, ids)


def _fanout_row(count, samples, recipients):
    row = stats([wall for wall, *_ in samples])
    _, received, skipped, handed_out, _ = samples[0]
    return {
        "workers": count,
        "recipients": recipients,
        "emails_received": min(sample[1] for sample in samples),
        "skipped_following_nothing": skipped,
        "digests_per_s": round(handed_out / (row["median_ms"] / 1000), 1),
        "emails_per_s": round(received / (row["median_ms"] / 1000), 1),
        # Seconds from the start until the last digest was written to the outbox, and until
        # the outbox marked the last email sent, in each run.
        "last_written_s": [sample[4][0] for sample in samples],
        "last_sent_s": [sample[4][1] for sample in samples],
        **row,
    }


def bench_fanout():
    """The hourly fan-out with real Celery worker processes (1, then 2) sharing its tasks over
    a real Redis broker, and a local SMTP server receiving the emails. The fan-out records the
    digests here, as beat's task would on a worker; the workers build and render them and, as
    in production, also run the outbox's delivery (its task is kicked when each batch of
    digests commits). Timed from the fan-out's start until the server received every email."""
    import redis
    from aiosmtpd.controller import Controller
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from config import celery_app

    User = get_user_model()
    recipients = _fanout_recipients(User)
    tz = timezone.get_current_timezone()
    now = datetime.combine(_monday(), datetime.min.time().replace(hour=7, minute=30), tzinfo=tz)
    redis_url = f"redis://127.0.0.1:6379/{knobs.FANOUT_REDIS_DB}"
    broker = redis.Redis.from_url(redis_url)
    handler = _CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    env = workers.env(redis_url=redis_url, smtp_port=port)
    # A harness stopped with SIGTERM still runs its finally: the workers are killed.
    terminate = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    eager, broker_url = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, redis_url
    out, running = {}, []
    try:
        with (
            tempfile.TemporaryDirectory() as logs,
            celery_app.connection_for_write(redis_url) as connection,
        ):
            logs = Path(logs)
            runs = {1: [], 2: []}
            # 1 and 2 workers take turns, so a busy moment of the machine hits both alike.
            for _ in range(knobs.FANOUT_REPEAT):
                for count, samples in runs.items():
                    broker.flushdb()
                    running = workers.start(count, env, logs)
                    workers.wait_ready(celery_app, connection, running)
                    samples.append(_one_fanout(handler, now, f"{count} workers", logs))
                    workers.stop(running)
                    running = []
            for count, samples in runs.items():
                name = f"fanout_{count}_worker{'s' if count > 1 else ''}"
                out[name] = _fanout_row(count, samples, len(recipients))
    finally:
        workers.stop(running)
        signal.signal(signal.SIGTERM, terminate)
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, broker_url
        controller.stop()
        broker.flushdb()
        broker.close()
        User.objects.update(is_active=True)
    out["fanout_scaling"] = _scaling(out["fanout_1_worker"], out["fanout_2_workers"])
    return out


def _scaling(one, two):
    from django.conf import settings
    from django.db.models import Count

    from digests.models import Digest

    return {
        "speedup_2_over_1": round(one["median_ms"] / two["median_ms"], 2),
        "delivery": "outbox.deliver tasks on the same workers, kicked on commit",
        "chunk": settings.DIGEST_CHUNK,
        "statuses": dict(Digest.objects.values_list("status").annotate(n=Count("pk"))),
    }
