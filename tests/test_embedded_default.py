"""The embedded PostgreSQL server: `make run`'s database, and `make test`'s when no server runs.

Each test starts its own server in a temporary folder, so nothing here touches the checkout's
var/postgres or the machine's server.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from config import embedded_postgres

ROOT = Path(__file__).resolve().parent.parent

# Servers and commands in other processes read the machine's clock.
pytestmark = pytest.mark.real_clock

LOGIN_AND_LIST = """
import django
django.setup()
from django.db import connection
from django.test import Client
assert connection.vendor == "postgresql"  # the embedded default is PostgreSQL, not a stand-in
client = Client(HTTP_HOST="127.0.0.1")
response = client.post("/accounts/login/", {"username": "coo", "password": "concord-demo"})
assert response.status_code == 302 and response["Location"] == "/", response.status_code
page = client.get("/partnerships/")
assert page.status_code == 200, page.status_code
from partnerships.models import Partnership
preview = client.get("/digests/preview/")
html = preview.content.decode()
assert preview.status_code == 200 and "Preview of your next digest" in html
detail = client.get(Partnership.objects.order_by("pk").first().get_absolute_url())
assert detail.status_code == 200, detail.status_code
print("OK", page.content.decode().count("badge stage-"))
"""


@pytest.fixture
def data_dir():
    # Not under pytest's tmp_path: that tree is private to root (0700), and as root the server
    # runs as its own system user, which must be able to reach its folder.
    (ROOT / "var").mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="pg-", dir=ROOT / "var"))
    yield folder
    embedded_postgres.stop(folder, announce=lambda message: None)
    shutil.rmtree(folder, ignore_errors=True)


def clean_env(**extra):
    drop = {
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "CELERY_TASK_ALWAYS_EAGER",
        "DJANGO_SETTINGS_MODULE",
        "TEST_DATABASE_URL",
    }
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}


def rows(url):
    host = url.split("?host=")[1]
    with psycopg.connect(host=host, user="postgres", dbname="concord") as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS kept (note text)")
        return [note for (note,) in connection.execute("SELECT note FROM kept ORDER BY note")]


def add_row(url, note):
    host = url.split("?host=")[1]
    with psycopg.connect(host=host, user="postgres", dbname="concord") as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS kept (note text)")
        connection.execute("INSERT INTO kept VALUES (%s)", [note])


def test_the_server_keeps_its_data_across_restarts(data_dir):
    url = embedded_postgres.start(data_dir, announce=lambda message: None)
    assert url == f"postgres://postgres@/concord?host={data_dir}"
    add_row(url, "first run")
    assert embedded_postgres.stop(data_dir, announce=lambda message: None)
    assert not embedded_postgres.is_running(data_dir)

    url = embedded_postgres.start(data_dir, announce=lambda message: None)
    assert rows(url) == ["first run"]


def test_a_killed_server_with_a_reused_pid_is_recovered_with_a_message(data_dir):
    url = embedded_postgres.start(data_dir, announce=lambda message: None)
    add_row(url, "committed before the crash")
    pid_file = data_dir / "postmaster.pid"
    postmaster = int(pid_file.read_text().split()[0])
    os.kill(postmaster, signal.SIGKILL)
    for _ in range(50):
        if not embedded_postgres.is_running(data_dir):
            break
        time.sleep(0.1)
    # After a reboot the dead server's number often belongs to another process by now: here,
    # this test's own process. PostgreSQL alone would refuse to start.
    lines = pid_file.read_text().splitlines()
    pid_file.write_text("\n".join([str(os.getpid()), *lines[1:]]) + "\n")
    time.sleep(1)  # the killed server's children notice their parent is gone

    messages = []
    url = embedded_postgres.start(data_dir, announce=messages.append)

    assert len(messages) == 1
    assert "was not stopped cleanly" in messages[0] and "postmaster.pid" in messages[0]
    assert str(os.getpid()) in messages[0]
    assert rows(url) == ["committed before the crash"]


def test_a_running_server_is_left_alone(data_dir):
    embedded_postgres.start(data_dir, announce=lambda message: None)
    postmaster = (data_dir / "postmaster.pid").read_text().split()[0]
    messages = []
    embedded_postgres.start(data_dir, announce=messages.append)
    assert messages == []
    assert (data_dir / "postmaster.pid").read_text().split()[0] == postmaster


def run(args, env, timeout=600):
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout


def test_dev_default_migrates_seeds_logs_in_and_lists(data_dir, tmp_path):
    env = clean_env(
        CONCORD_ENV="dev",
        DJANGO_SETTINGS_MODULE="config.settings",
        EMBEDDED_POSTGRES_DIR=str(data_dir),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    run([sys.executable, "manage.py", "migrate", "--noinput"], env)
    assert "Demo data ready." in run([sys.executable, "manage.py", "seed_demo"], env)
    out = run([sys.executable, "-c", LOGIN_AND_LIST], env)
    assert out.startswith("OK")
    assert int(out.split()[1]) >= 10  # the demo partnerships are listed


def test_the_suite_runs_on_the_embedded_server_when_no_server_answers(data_dir):
    """`make test` on a machine without PostgreSQL: config.test_database starts the embedded
    server, says so, and the suite's fixtures (plain, transactional, Celery, the data version's
    triggers) work on it."""
    env = clean_env(
        DJANGO_SETTINGS_MODULE="config.settings_test",
        TEST_DATABASE_URL="postgres://postgres@127.0.0.1:1/concord",  # nothing listens there
        TEST_EMBEDDED_POSTGRES_DIR=str(data_dir),
        TEST_REDIS_URL=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
    )
    tests = [
        "tests/partnerships/test_stages.py",
        "tests/partnerships/test_changes.py",
        "tests/kpis/test_snapshots.py",
        "tests/test_celery.py",
    ]
    out = run(
        [sys.executable, "-m", "config.test_database", "--"]
        + [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *tests],
        env,
    )
    assert f"Tests use the embedded PostgreSQL server in {data_dir}" in out
    assert "nothing answers at TEST_DATABASE_URL (127.0.0.1:1/concord)" in out
    assert " passed" in out and "failed" not in out and "error" not in out
    assert not embedded_postgres.is_running(data_dir)  # stopped after the run


def test_a_reachable_test_database_is_used_and_named():
    url = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/concord")
    out = run(
        [sys.executable, "-m", "config.test_database", "--", "true"],
        clean_env(TEST_DATABASE_URL=url),
    )
    where = url.split("@")[-1]
    assert out.strip() == f"Tests use the PostgreSQL server of TEST_DATABASE_URL ({where})."
