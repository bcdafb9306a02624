"""4. Digests: one digest built and rendered, and the Monday fan-out to real SMTP."""

import time
from datetime import datetime, timedelta

from benchmarks import knobs
from benchmarks.measure import (
    executive,
    free_port,
    stats,
    timed,
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

        def one(user=user, schedule=schedule):
            with CaptureQueriesContext(connection) as queries:
                content = build_digest(user, schedule)
                render_digest(content)
            return len(queries), content.partnership_count

        samples, (count, followed) = timed(one, knobs.REPEAT)
        out[label] = {"queries": count, "follows": followed, **stats(samples)}
    return out


class _CountingHandler:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 Message accepted"


def bench_fanout():
    from aiosmtpd.controller import Controller
    from django.contrib.auth import get_user_model
    from django.test.utils import override_settings
    from django.utils import timezone

    from digests.models import Digest
    from digests.services import digest_fan_out
    from outbox.services import deliver_all_due

    User = get_user_model()
    recipients = list(
        User.objects.filter(is_active=True)
        .exclude(email="")
        .order_by("pk")[: knobs.FANOUT_RECIPIENTS]
    )
    # Only these users are candidates; everyone was active recently (weekly rhythm).
    User.objects.exclude(pk__in=[u.pk for u in recipients]).update(is_active=False)
    User.objects.filter(pk__in=[u.pk for u in recipients]).update(last_login=timezone.now())
    tz = timezone.get_current_timezone()
    now = datetime.combine(_monday(), datetime.min.time().replace(hour=7, minute=30), tzinfo=tz)
    handler = _CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port},
        }
    }
    samples, sent = [], []
    try:
        with override_settings(MAILERS=mailers):
            for _ in range(knobs.FANOUT_REPEAT):
                Digest.objects.all().delete()
                before = handler.count
                start = time.perf_counter()
                ids = digest_fan_out(now=now)
                # The digests are in the outbox; what a worker would then send, sent here.
                deliver_all_due()
                samples.append(time.perf_counter() - start)
                sent.append(handler.count - before)
                assert len(ids) == len(recipients), (len(ids), len(recipients))
    finally:
        controller.stop()
        User.objects.update(is_active=True)
    statuses = dict(
        Digest.objects.values_list("status").annotate(n=__import__("django").db.models.Count("pk"))
    )
    return {
        "fanout": {
            "recipients": len(recipients),
            "emails_received": min(sent),
            "statuses": statuses,
            **stats(samples),
        }
    }
