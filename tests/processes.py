"""Real Celery workers for the tests that kill them: started as processes on this run's Redis
DB (emptied before and after), killed by PID, and never left running."""

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture(name="celery_broker")
def celery_broker_fixture():
    """Tasks go to this run's Redis DB (emptied before and after) for the worker processes,
    instead of running eagerly in this process: an on-commit kick reaches a real worker."""
    import redis

    from config import celery_app

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    celery_app.conf.task_always_eager = False
    try:
        yield client
    finally:
        celery_app.conf.task_always_eager = True
        client.flushdb()
        client.close()


@pytest.fixture(name="start_celery_worker")
def start_celery_worker_fixture():
    """``celery -A config worker``: ``solo`` runs tasks in the process whose PID we have,
    ``prefork`` (one child) in a pool child. Any still running at the end is killed."""
    started = []

    def start(env, pool="solo"):
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", pool]
            + (["--concurrency", "1"] if pool == "prefork" else [])
            + ["--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        for child in children(process.pid):
            kill_pid(child)
        if process.poll() is None:
            process.kill()
        process.communicate()


def children(pid):
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def kill_pid(pid):
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
