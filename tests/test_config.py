"""Settings read from the environment, with safe production defaults."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from config.email import mailer_from_url

ROOT = Path(__file__).resolve().parent.parent


def settings_in_subprocess(env, expr):
    # The test settings export their own values; start from an environment without them.
    ours = {"CONCORD_ENV", "SECRET_KEY", "DATABASE_URL", "DEBUG", "REDIS_URL", "SECURE_COOKIES"}
    ours |= {"CELERY_TASK_ALWAYS_EAGER", "STATICFILES_BACKEND", "EMAIL_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    code = (
        f"import django; django.setup(); from django.conf import settings; print(repr(({expr},)))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = settings_in_subprocess({"DATABASE_URL": "postgres://x@h/db"}, "settings.DEBUG")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_a_database():
    result = settings_in_subprocess({"SECRET_KEY": "k" * 40}, "settings.DEBUG")
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr


def test_production_defaults_are_safe():
    env = {"SECRET_KEY": "k" * 40, "DATABASE_URL": "postgres://x@h/db"}
    result = settings_in_subprocess(
        env, "settings.DEBUG, settings.ALLOWED_HOSTS, settings.SESSION_COOKIE_SECURE"
    )
    assert result.stdout.strip() == "(False, [], True)", result.stderr


def test_dev_is_only_on_when_asked_for():
    result = settings_in_subprocess(
        {"CONCORD_ENV": "dev", "DATABASE_URL": "postgres://x@h/db"},
        "settings.DEBUG, settings.CELERY_TASK_ALWAYS_EAGER",
    )
    assert result.stdout.strip() == "(True, True)", result.stderr


def test_dev_defaults_to_the_embedded_postgresql_server():
    from config import embedded_postgres

    (ROOT / "var").mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="pg-", dir=ROOT / "var"))
    try:
        result = settings_in_subprocess(
            {"CONCORD_ENV": "dev", "EMBEDDED_POSTGRES_DIR": str(folder)},
            "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['OPTIONS']",
        )
        options = {"host": str(folder), "connect_timeout": 5, "options": "-c jit=off"}
        expected = ("django.db.backends.postgresql", options)
        assert result.stdout.strip() == repr(expected), result.stderr
        assert embedded_postgres.is_running(folder)
    finally:
        embedded_postgres.stop(folder, announce=lambda message: None)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("url", ["sqlite:////tmp/concord.sqlite3", "mysql://u@h/db"])
def test_only_postgresql_is_accepted(url):
    result = settings_in_subprocess({"SECRET_KEY": "k" * 40, "DATABASE_URL": url}, "1")
    assert result.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://user:p%40ss@mail.example:587?tls=1",
            {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {
                    "host": "mail.example",
                    "port": 587,
                    "username": "user",
                    "password": "p@ss",
                    "use_tls": True,
                    "timeout": 10,
                },
            },
        ),
        (
            "smtps://mail.example",
            {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "mail.example", "port": 465, "use_ssl": True, "timeout": 10},
            },
        ),
        ("console://", {"BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        (
            "file:///tmp/mail",
            {
                "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "OPTIONS": {"file_path": "/tmp/mail"},
            },
        ),
    ],
)
def test_email_url(url, expected):
    assert mailer_from_url(url) == expected


def test_unknown_email_scheme_is_a_clear_error():
    with pytest.raises(ValueError, match="EMAIL_URL scheme 'pigeon' is not supported"):
        mailer_from_url("pigeon://coop")


@pytest.mark.django_db
def test_the_app_s_database_sessions_do_not_jit_compile():
    # PostgreSQL's JIT spent ~200 ms compiling the portfolio's statement at 6,400 partnerships.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
