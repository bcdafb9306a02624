"""Real Celery worker processes for the harness: the digest fan-out's, and the load run's
recomputes. Each runs one task at a time (``--pool solo``), so killing its PID stops it."""

import os
import subprocess
import sys
import time


def env(*, redis_url, smtp_port=None):
    """The harness's database and settings with real (not eager) tasks on this run's Redis
    DB, and the local SMTP server when given."""
    found = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "WARNING",
    }
    if smtp_port is not None:
        found["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp_port}"
    return found


def start(count, env, logs, *, name="fanout"):
    """``count`` worker processes of one task at a time each, as on ``count`` machines."""
    from django.conf import settings

    running = []
    for i in range(count):
        log = open(logs / f"{name}{i}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo"]
            + ["-n", f"{name}{i}@%h", "--loglevel", "WARNING"]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        running.append((process, log))
    return running


def stop(running):
    """Killed by PID: a solo worker runs its tasks in that one process."""
    for process, log in running:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        log.close()


def wait_ready(app, connection, running, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process, _ in running):
            raise RuntimeError("A worker exited at start-up.")
        if len(app.control.ping(timeout=0.5, connection=connection)) == len(running):
            return
    raise RuntimeError(f"{len(running)} workers not ready after {timeout} s.")


def log_tails(logs):
    return "\n".join(f"{p.name}: {p.read_text()[-2000:]}" for p in sorted(logs.glob("*.log")))
