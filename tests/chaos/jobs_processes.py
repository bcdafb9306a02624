"""Real processes for the jobs chaos tests: a Redis server of the test's own (stopped by its PID,
never the machine's), Celery workers, and the figures each test reports."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
import redis
from celery.exceptions import AlwaysEagerIgnored
from django.conf import settings

from config import celery_app
from tests import db as test_db

RESULTS = Path(settings.BASE_DIR) / "artifacts" / "chaos" / "jobs.jsonl"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, seconds=30, what="the condition"):
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
    return result


class OwnRedis:
    """``redis-server`` on a free port, in memory only, started and stopped by this test."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        wait_until(lambda: _answers(client), 10, "redis-server to answer")
        client.close()

    def stop(self):
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None


def _answers(client):
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


@pytest.fixture
def own_redis():
    server = OwnRedis()
    server.start()
    yield server
    if server.process is not None:
        server.stop()


def process_env(redis_url, **extra):
    """This test's database (the test copy) and the given Redis, for a child process; tasks go
    through the broker, not eagerly."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "TEST_DATABASE_URL": test_db.url(),
        "TEST_REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "ALLOWED_HOSTS": "testserver",
    }
    env.update(extra)
    return env


@pytest.fixture
def start_worker(tmp_path):
    """``celery -A config worker``; solo by default, so its PID is the process running tasks.
    Any still running at the end is killed; its log is in the test's tmp_path."""
    started = []

    def start(env, *, pool="solo"):
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", pool]
            + ["--concurrency", "1", "--loglevel", "INFO"]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        log.close()


def pool_children(pid):
    """The worker's pool processes (Linux: /proc lists a process's children)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def send(redis_url, name, *args):
    """What beat or a page would queue, straight to the given broker (this process runs its own
    tasks eagerly, which publishing by name ignores, as Celery warns)."""
    with warnings.catch_warnings(), celery_app.connection_for_write(redis_url) as connection:
        warnings.simplefilter("ignore", AlwaysEagerIgnored)
        celery_app.send_task(name, args, connection=connection, ignore_result=True)


def record(test, **figures):
    """Print the figures and add them to artifacts/chaos/jobs.jsonl."""
    line = {"test": test, **figures}
    print(f"\nchaos figures: {json.dumps(line)}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as results:
        results.write(json.dumps(line) + "\n")
