"""/healthz tells the truth: database, broker, beat and outbox, each really broken."""

import json
import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from config import health
from outbox.models import Message, Status

ALL_OK = {"database", "broker", "beat", "outbox"}


def closed_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def failing(response):
    body = response.json()
    return {name for name, check in body["checks"].items() if not check["ok"]}


def message(status, due, **extra):
    return Message.objects.create(
        recipient="a@example.com",
        subject="s",
        status=status,
        next_attempt_at=due,
        give_up_at=due + timedelta(days=2),
        **extra,
    )


@pytest.fixture
def beat_running(settings):
    # The suite runs tasks eagerly (no beat); these tests run as production does.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    health.record_heartbeat()


def test_all_well_answers_200(client, db, beat_running):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == ALL_OK
    assert response["Cache-Control"].startswith("max-age=0")


def test_redis_unreachable_is_503_naming_the_broker(client, db, settings, beat_running):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert failing(response) == {"broker"}
    assert response.json()["checks"]["broker"]["detail"].startswith("unreachable")


def test_a_stale_beat_is_503(client, db, beat_running, clock):
    health.record_heartbeat(timezone.now() - timedelta(minutes=6))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert failing(response) == {"beat"}
    assert response.json()["checks"]["beat"]["detail"] == "last heartbeat 360 s ago"


def test_no_heartbeat_at_all_is_503(client, db, beat_running):
    from django.core.cache import cache

    cache.delete(health.HEARTBEAT_KEY)
    response = client.get("/healthz")
    assert failing(response) == {"beat"}
    assert "is celery beat" in response.json()["checks"]["beat"]["detail"]


def test_the_heartbeat_task_is_scheduled_and_records(settings, db, beat_running):
    from django.core.cache import cache

    from config.celery import app

    cache.delete(health.HEARTBEAT_KEY)
    entry = django_settings.CELERY_BEAT_SCHEDULE["concord-beat-heartbeat"]
    app.tasks[entry["task"]].apply()
    assert health.check_beat(timezone.now()) == (True, "last heartbeat 0 s ago")


def test_failed_and_overdue_outbox_messages_are_503(client, db, beat_running):
    now = timezone.now()
    message(Status.PENDING, now - timedelta(minutes=5))  # due, within the lag limit
    message(Status.SENT, now - timedelta(days=3), sent_at=now)
    assert client.get("/healthz").status_code == 200
    message(Status.FAILED, now - timedelta(days=1))
    message(Status.FAILED, now - timedelta(days=1))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["outbox"]["detail"] == (
        "2 failed messages (retry them in admin)"
    )
    Message.objects.filter(status=Status.FAILED).delete()
    message(Status.PENDING, now - timedelta(minutes=40))
    response = client.get("/healthz")
    assert failing(response) == {"outbox"}
    assert response.json()["checks"]["outbox"]["detail"] == "a message due for 40 min"


SCRIPT = """
import django, json
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
response = Client().get("/healthz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def without_database(script):
    """What ``script`` prints as JSON on its last line, run in a process whose database
    address answers nothing (a closed port)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "TEST_DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/concord",
        "TEST_REDIS_URL": django_settings.REDIS_URL,
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=django_settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_database_really_unreachable_is_503(tmp_path):
    answer = without_database(SCRIPT)
    assert answer["status"] == 503
    checks = answer["body"]["checks"]
    assert not checks["database"]["ok"]
    assert checks["database"]["detail"].startswith("unreachable")
    assert not checks["outbox"]["ok"]
    assert checks["broker"]["ok"]


PAGE_SCRIPT = """
import django, json
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(raise_request_exception=False)
response = client.post("/accounts/login/", {"username": "coo", "password": "concord-demo"})
print(json.dumps({
    "status": response.status_code,
    "retry": response.get("Retry-After"),
    "body": response.content.decode(),
}))
"""


def test_a_user_sees_a_503_page_saying_the_database_is_down():
    answer = without_database(PAGE_SCRIPT)
    assert (answer["status"], answer["retry"]) == (503, "60")
    assert (
        "Concord cannot reach its database. What you were sending was not saved" in (answer["body"])
    )


def test_other_errors_keep_the_plain_500(rf):
    from django.db import IntegrityError

    from config.errors import server_error

    try:
        raise IntegrityError("duplicate key")
    except IntegrityError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
