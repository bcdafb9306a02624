"""Celery set for crashes (docs/decisions/celery-crashes.md): late acknowledgement, tasks put
back when their worker dies, a visibility timeout longer than any task may run."""

import os
import subprocess
import sys

from django.conf import settings

from config import celery_app


def test_tasks_are_acknowledged_late_and_put_back_when_their_worker_dies():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is True


def test_redis_hands_a_task_to_another_worker_only_after_it_surely_ended():
    visibility = celery_app.conf.broker_transport_options["visibility_timeout"]
    assert visibility == settings.CELERY_VISIBILITY_TIMEOUT == 12 * 60
    assert celery_app.conf.task_time_limit == 10 * 60 < visibility
    assert celery_app.conf.task_soft_time_limit < celery_app.conf.task_time_limit


def test_a_visibility_timeout_shorter_than_the_time_limit_is_refused():
    env = {**os.environ, "CELERY_VISIBILITY_TIMEOUT": "300", "CELERY_TASK_TIME_LIMIT": "600"}
    code = "import django; django.setup()"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT (300 s) must be longer than" in result.stderr


def test_the_sweep_and_the_reaper_run_every_minute():
    beat = settings.CELERY_BEAT_SCHEDULE
    for entry, task in (
        ("kpis-recompute-marked", "kpis.recompute_marked"),
        ("kpis-reap-imports", "kpis.reap_imports"),
    ):
        assert beat[entry]["task"] == task and task in celery_app.tasks
        assert beat[entry]["schedule"].minute == set(range(60))
