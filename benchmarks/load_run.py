"""6. A load run: wrk against gunicorn, signed in as the executive: reads only, then reads
with 10% writes (benchmarks/load_writes.py)."""

import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from benchmarks import knobs, load_writes, workers
from benchmarks.bootstrap import ROOT
from benchmarks.measure import (
    executive,
    free_port,
    panel_urls,
)

# 6. Load run ---------------------------------------------------------------------------------

WRK_ERRORS = ("connect", "read", "write", "status", "timeout")

WRK_SCRIPT = """
local paths = {%s}
local hx = {%s}
local i = 0
request = function()
  i = i + 1
  local n = (i %% #paths) + 1
  local headers = {["Cookie"] = "%s"}
  if hx[n] then headers["HX-Request"] = "true" end
  return wrk.format("GET", paths[n], headers)
end
delay = function()
  return %d
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def bench_load():
    """The read-only run (``load``: its figures compare with every earlier run), then the
    write mix on the same server (``load_writes``, see benchmarks/load_writes.py)."""
    import shutil

    if not shutil.which("wrk"):
        return {"load": {"skipped": "wrk is not installed (apt-get install -y wrk)"}}
    from kpis import recomputes

    # Recomputes left pending by an earlier step would be swept by the first save, in its
    # request: settle them first, untimed.
    recomputes.sweep()
    user = executive()
    paths, hx = _load_paths()
    read_only = _script(paths, hx, _session_cookie(user))
    plan = load_writes.plan(user, _session_cookie)
    results, mixed, settled = {}, None, None
    try:
        with _recompute_worker() as env:
            with _server(env) as base:
                data = _wrk(base, read_only, seconds=knobs.LOAD_SECONDS)
                results["load"] = {
                    "users": knobs.LOAD_USERS,
                    "think_ms": knobs.LOAD_THINK_MS,
                    "seconds": knobs.LOAD_SECONDS,
                    "urls": len(paths),
                    **_figures(data),
                }
                if knobs.LOAD_WRITE_SECONDS:
                    script = load_writes.script(plan, paths, hx)
                    mixed = _wrk(
                        base, script, seconds=knobs.LOAD_WRITE_SECONDS, threads=knobs.LOAD_USERS
                    )
            # gunicorn has stopped gracefully: the requests wrk left in flight have ended, and
            # their saves have asked the worker for their recomputes.
            if mixed is not None:
                settled = _settle()
    finally:
        opened = load_writes.restore(plan) if knobs.LOAD_WRITE_SECONDS else 0
    if mixed is not None:
        results["load_writes"] = {
            "urls": len(paths),
            **_write_figures(mixed, opened),
            "recomputes_settled_s": settled,
        }
    return results


@contextmanager
def _recompute_worker():
    """One real Celery worker on the harness's Redis DB, as in production: a save commits,
    then asks a worker to sweep its recompute marks, and the request returns without them.
    The worker shares the machine's two cores with gunicorn and PostgreSQL. Yields the
    environment gunicorn must run with to send it work."""
    import redis

    from config import celery_app

    redis_url = f"redis://127.0.0.1:6379/{knobs.FANOUT_REDIS_DB}"
    broker = redis.Redis.from_url(redis_url)
    broker.flushdb()
    env = workers.env(redis_url=redis_url)
    # The ping goes through this process's app: pointed at the workers' broker meanwhile.
    eager, broker_url = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, redis_url
    running = []
    try:
        with (
            tempfile.TemporaryDirectory() as logs,
            celery_app.connection_for_write(redis_url) as connection,
        ):
            running = workers.start(1, env, Path(logs), name="recompute")
            workers.wait_ready(celery_app, connection, running)
            yield env
    finally:
        workers.stop(running)
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, broker_url
        broker.flushdb()
        broker.close()


def _settle(timeout=600):
    """Seconds until the worker has swept every recompute mark the writes left."""
    from kpis.models import RecomputeMark

    started = time.monotonic()
    while RecomputeMark.objects.exists():
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"Recompute marks still pending after {timeout} s.")
        time.sleep(0.2)
    return round(time.monotonic() - started, 1)


def _figures(data):
    errors = sum(data[k] for k in WRK_ERRORS)
    return {
        "requests": data["requests"],
        "rps": round(data["requests"] / (data["duration_us"] / 1e6), 1),
        "p50_ms": round(data["p50_us"] / 1000, 1),
        "p95_ms": round(data["p95_us"] / 1000, 1),
        "p99_ms": round(data["p99_us"] / 1000, 1),
        "max_ms": round(data["max_us"] / 1000, 1),
        "errors": errors,
        "error_detail": {k: data[k] for k in WRK_ERRORS},
    }


def _write_figures(data, alerts_opened):
    figures = _figures(data)
    # A write refused (a form error, a 403) or a check that is not a 200 is an error even when
    # its status is below 400; a status of 400 or more is already in wrk's own count.
    unexpected = data["writes_failed"] + data["checks_failed"]
    figures["errors"] = max(figures["errors"], unexpected)
    figures["error_detail"] |= {
        "writes_failed": data["writes_failed"],
        "checks_failed": data["checks_failed"],
    }
    return {
        "users": knobs.LOAD_USERS,
        "think_ms": knobs.LOAD_THINK_MS,
        "seconds": knobs.LOAD_WRITE_SECONDS,
        "write_pct": knobs.LOAD_WRITE_PCT,
        **figures,
        "reads": data["reads"] + data["checks"],
        "writes": data["writes"],
        "checks": data["checks"],
        "stale": data["stale"],
        "alerts_opened": alerts_opened,
    }


def _session_cookie(user):
    """A session cookie signed in as ``user``, for wrk to send."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend

    # As Django's test client does: the first backend that loads users (the throttling one,
    # first in the list, only counts sign-ins).
    backend = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _load_paths():
    """(paths, whether each is an HTMX request): portfolio pages, dashboards and panels."""
    from partnerships.models import Partnership

    paths, hx = [], []
    for page in range(1, 6):
        paths.append(f"/partnerships/?page={page}")
        hx.append(False)
    paths.append("/partnerships/?stage=active&type=technology")
    hx.append(False)
    for p in Partnership.objects.filter(stage="active").order_by("pk")[:10]:
        paths.append(p.get_absolute_url())
        hx.append(False)
        for url in panel_urls(p).values():
            paths.append(url)
            hx.append(True)
    return paths, hx


def _script(paths, hx, cookie):
    return WRK_SCRIPT % (
        ", ".join(f'"{p}"' for p in paths),
        ", ".join("true" if h else "false" for h in hx),
        cookie,
        knobs.LOAD_THINK_MS,
    )


@contextmanager
def _server(env):
    """gunicorn on a free port with ``env``, once it answers; yields its base URL."""
    import urllib.request

    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/_bench/floor/", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wrk(base, script, *, seconds, threads=2):
    """Run wrk with ``script`` for ``seconds``; the figures its ``done`` prints."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        proc = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{knobs.LOAD_USERS}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                file.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(file.name)
    line = next(x for x in proc.stdout.splitlines() if x.startswith("WRKJSON "))
    return json.loads(line[len("WRKJSON ") :])
