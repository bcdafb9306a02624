"""Celery runs for real: a worker in this process, Redis as the broker."""

import pytest

from config.celery import health_check


@pytest.mark.ticking_clock  # the worker's thread waits on the clock
def test_health_check_runs_on_a_real_worker(real_worker):
    result = health_check.delay()
    assert result.get(timeout=30) == {"status": "ok", "database": True}


def test_without_redis_tasks_run_eagerly():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    # A database address the settings never connect to: without one, dev starts the embedded
    # server of the checkout and leaves it running.
    env.update(
        CONCORD_ENV="dev",
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL="postgres://x@h/db",
    )
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    code = (
        "import django; django.setup();"
        "from config.celery import app; print(app.conf.task_always_eager, app.conf.broker_url)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["True", "memory://"], out.stderr
