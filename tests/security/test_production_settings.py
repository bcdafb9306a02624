"""Production settings as ``check --deploy`` wants them, DEBUG refused, the proxy's https
header believed only when configured; and on every signed-in response, no-store and an idle
timeout."""

import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.test_config import ROOT

PRODUCTION = {
    "SECRET_KEY": "Zq7-vN2pLx9TfK4wRb8YhC1mJd6GsE3uAo5iVt0nWe-QkP2rX_m4Lc8Dy",
    # A server that answers (its maintenance database): the model checks read its features.
    "DATABASE_URL": urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres").geturl(),
    "ALLOWED_HOSTS": "concord.example.com",
}
# What settings_test.py exports, and the knobs that weaken production: none may leak in.
LEAKS = {
    "CONCORD_ENV", "SECRET_KEY", "DATABASE_URL", "DEBUG", "REDIS_URL", "SECURE_COOKIES",
    "CELERY_TASK_ALWAYS_EAGER", "STATICFILES_BACKEND", "EMAIL_URL", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "TRUSTED_PROXY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SESSION_IDLE_MINUTES",
}  # fmt: skip


def _run(env, *args):
    clean = {k: v for k, v in os.environ.items() if k not in LEAKS}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def settings_in_subprocess(env, expr):
    code = f"import django; django.setup(); from django.conf import settings; print(({expr},))"
    return _run(env, "-c", code)


def test_check_deploy_with_production_settings_prints_no_warnings():
    result = _run(PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout


def test_debug_is_refused_in_production_with_a_paragraph_naming_it():
    result = settings_in_subprocess({**PRODUCTION, "DEBUG": "1"}, "settings.DEBUG")
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert "DEBUG is on while CONCORD_ENV is 'production'" in message
    assert "unset the DEBUG environment variable" in message
    assert "Traceback" in result.stderr  # one exception: the message is its last line


def test_dev_keeps_debug_and_plain_http():
    result = settings_in_subprocess(
        {"CONCORD_ENV": "dev", "DATABASE_URL": PRODUCTION["DATABASE_URL"]},
        "settings.DEBUG, settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS",
    )
    assert result.stdout.strip() == "(True, False, 0)", result.stderr


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [({}, "None"), ({"TRUSTED_PROXY": "1"}, "('HTTP_X_FORWARDED_PROTO', 'https')")],
)
def test_the_proxy_https_header_is_believed_only_when_configured(trusted, expected):
    result = settings_in_subprocess({**PRODUCTION, **trusted}, "settings.SECURE_PROXY_SSL_HEADER")
    assert result.stdout.strip() == f"({expected},)", result.stderr


def test_production_turns_on_hsts_and_the_ssl_redirect():
    result = settings_in_subprocess(
        PRODUCTION,
        "settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS >= 31536000, "
        "settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.CSRF_COOKIE_SECURE",
    )
    assert result.stdout.strip() == "(True, True, True, True)", result.stderr


def test_a_forged_forwarded_header_changes_nothing_without_a_trusted_proxy(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("login"), headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 301 and response["Location"].startswith("https://")


# Signed-in responses ---------------------------------------------------------------------------


def test_signed_in_pages_and_exports_are_never_stored(client, manager, partnership):
    client.force_login(manager)
    for url in (
        reverse("partnerships:list"),
        reverse("partnerships:detail", args=[partnership.pk]),
        reverse("partnerships:export", kwargs={"fmt": "csv"}),
        reverse("kpis:import_template", args=["xlsx"]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_an_idle_session_signs_out_and_an_active_one_stays(client, manager, clock, settings):
    from datetime import timedelta

    settings.SESSION_IDLE_MINUTES = 30
    client.force_login(manager)
    home = reverse("partnerships:list")
    for _ in range(4):  # active: a page every 20 minutes for 80 minutes
        clock.shift(timedelta(minutes=20))
        assert client.get(home).status_code == 200
    clock.shift(timedelta(minutes=31))
    response = client.get(home)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_a_page_right_after_sign_in_writes_no_session(client, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager)
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("digests:preferences"))
    writes = [q["sql"] for q in captured if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert not any("django_session" in sql for sql in writes)
