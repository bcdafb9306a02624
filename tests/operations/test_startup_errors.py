"""A wrong DATABASE_URL, REDIS_URL or EMAIL_URL: one paragraph naming the variable, no
traceback, from the real commands in their own processes."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests import db as test_db

from .test_healthz import closed_port

OURS = {"CONCORD_ENV", "SECRET_KEY", "DATABASE_URL", "DEBUG", "REDIS_URL", "SECURE_COOKIES"}
OURS |= {"CELERY_TASK_ALWAYS_EAGER", "STATICFILES_BACKEND", "EMAIL_URL", "DJANGO_SETTINGS_MODULE"}


def run(args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in OURS}
    # No collectstatic here: whitenoise's warning about the missing folder is not ours.
    clean.update({"SECRET_KEY": "k" * 40, "EMAIL_URL": "console://", **env})
    clean["PYTHONWARNINGS"] = "ignore::UserWarning"
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_paragraph(result):
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("DATABASE_URL", "postgres//db-host/concord", "DATABASE_URL is not a URL"),
        ("DATABASE_URL", "postgres://u:pw@db-host:54x2/concord", "DATABASE_URL has a port"),
        ("DATABASE_URL", "postgres://u@db-host:5432/", "DATABASE_URL names no database"),
        ("DATABASE_URL", "mysql://u@db-host/concord", "DATABASE_URL must point at PostgreSQL"),
        ("REDIS_URL", "redis//redis-host:6379/0", "REDIS_URL must start with redis://"),
        ("REDIS_URL", "redis://redis-host:63a9/0", "REDIS_URL has a port"),
        ("REDIS_URL", "redis://redis-host:6379/zero", "REDIS_URL's database"),
        ("EMAIL_URL", "smpt://mail-host:25", "EMAIL_URL 'smpt://mail-host:25' is not usable"),
        (
            "EMAIL_URL",
            "smtp://u:secret@mail-host:2x5",
            "EMAIL_URL 'smtp://u:***@mail-host:2x5' is not usable (Port could not",
        ),
    ],
)
def test_a_malformed_url_is_one_paragraph_naming_it(variable, value, says):
    env = {"DATABASE_URL": "postgres://u@db-host:5432/concord", variable: value}
    result = run(["manage.py", "migrate"], **env)
    assert result.returncode == 1
    paragraph = one_paragraph(result)
    assert paragraph.startswith(f"Concord cannot start: {says}"), paragraph
    assert "secret" not in paragraph and ":pw@" not in paragraph  # passwords never printed


def test_gunicorn_workers_stop_the_server_on_a_malformed_url():
    result = run(["-c", "import config.wsgi"], DATABASE_URL="postgres//db-host/concord")
    assert result.returncode == 3  # gunicorn's "worker failed to boot": the server stops
    assert one_paragraph(result).startswith("Concord cannot start: DATABASE_URL is not a URL")


def test_an_unreachable_database_stops_migrate_in_one_paragraph():
    url = f"postgres://postgres:pw@127.0.0.1:{closed_port()}/concord"
    result = run(["manage.py", "migrate", "--noinput"], DATABASE_URL=url)
    assert result.returncode == 1
    paragraph = one_paragraph(result)
    assert paragraph.startswith(
        "Concord cannot start: the database in DATABASE_URL (PostgreSQL at 127.0.0.1:"
    )
    assert "Connection refused" in paragraph and ":pw@" not in paragraph


def test_a_gunicorn_worker_reports_an_unreachable_database_and_starts():
    url = f"postgres://postgres@127.0.0.1:{closed_port()}/concord"
    result = run(["-c", "import config.wsgi"], DATABASE_URL=url)
    assert result.returncode == 0
    assert one_paragraph(result).startswith(
        "Concord starts without a database: the database in DATABASE_URL"
    )


@pytest.mark.django_db(transaction=True)
def test_unreachable_redis_and_mail_are_warnings_naming_them():
    result = run(
        ["manage.py", "migrate", "--plan"],
        DATABASE_URL=test_db.url(),
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
        EMAIL_URL=f"smtp://127.0.0.1:{closed_port()}",
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(warnings) == 2, result.stderr
    assert warnings[0].startswith("Warning: Redis in REDIS_URL (redis://127.0.0.1:")
    assert warnings[1].startswith("Warning: The mail server in EMAIL_URL (127.0.0.1:")
