"""``/healthz``: what a load balancer and an operator need to know, checked for real.

Four checks, each answering (healthy, detail): the database answers a query, the broker
(Redis) answers a PING, beat ran its heartbeat task recently, and the outbox is neither holding
failed messages nor falling behind. Any failure answers 503 with the details; all fine is 200.
A check that cannot apply (no broker: tasks run eagerly in-process) says so and passes.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

HEARTBEAT_KEY = "concord:beat-heartbeat"


def beat_stale_after():
    return timedelta(seconds=getattr(settings, "HEALTH_BEAT_STALE_SECONDS", 5 * 60))


def outbox_lag_limit():
    return timedelta(seconds=getattr(settings, "HEALTH_OUTBOX_LAG_SECONDS", 15 * 60))


def record_heartbeat(now=None):
    # No timeout: the age of the value is the point, and a missing one reads as "never ran".
    cache.set(HEARTBEAT_KEY, (now or timezone.now()).isoformat(), timeout=None)


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        # The broken connection must not be reused by the next request of this process.
        connection.close_if_unusable_or_obsolete()
        return False, f"unreachable: {_first_line(error)}"
    return True, "answers"


def check_broker():
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return True, "not used: tasks run in the web process"
    import redis

    try:
        with redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2) as client:
            client.ping()
    except Exception as error:
        return False, f"unreachable: {_first_line(error)}"
    return True, "answers"


def check_beat(now):
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "not used: tasks run in the web process"
    try:
        last = cache.get(HEARTBEAT_KEY)
    except Exception as error:
        return False, f"unknown, the cache is unreachable: {_first_line(error)}"
    if last is None:
        return False, "no heartbeat recorded: is celery beat (and a worker) running?"
    age = now - datetime.fromisoformat(last)
    if age > beat_stale_after():
        return False, f"last heartbeat {int(age.total_seconds())} s ago"
    return True, f"last heartbeat {int(age.total_seconds())} s ago"


def check_outbox(now):
    from outbox.models import Kind, Message, Status

    try:
        # A webhook refused by its receiver (a Slack URL revoked, a webhook turned off) is that
        # receiver's business, shown on the webhook's page: it must not take Concord out of a
        # load balancer. Emails that failed are ours to fix.
        failed = Message.objects.filter(status=Status.FAILED).exclude(kind=Kind.WEBHOOK).count()
        oldest = (
            Message.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("next_attempt_at", flat=True)
            .first()
        )
    except Exception as error:
        connection.close_if_unusable_or_obsolete()
        return False, f"unknown, the database is unreachable: {_first_line(error)}"
    problems = []
    if failed:
        problems.append(
            f"{failed} failed message{'s' if failed != 1 else ''} (retry them in admin)"
        )
    if oldest is not None and now - oldest > outbox_lag_limit():
        problems.append(f"a message due for {int((now - oldest).total_seconds() // 60)} min")
    if problems:
        return False, "; ".join(problems)
    return True, "no backlog"


def _first_line(error):
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:300]


def report():
    now = timezone.now()
    checks = {
        "database": check_database(),
        "broker": check_broker(),
        "beat": check_beat(now),
        "outbox": check_outbox(now),
    }
    healthy = all(ok for ok, _ in checks.values())
    return healthy, {
        "status": "ok" if healthy else "fail",
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()},
    }


@login_not_required
@never_cache
def healthz(request):
    healthy, body = report()
    return JsonResponse(body, status=200 if healthy else 503)
