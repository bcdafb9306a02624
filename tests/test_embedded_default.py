"""Smoke test of the embedded default `make run` uses: SQLite, eager Celery, console email."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LOGIN_AND_LIST = """
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
response = client.post("/accounts/login/", {"username": "coo", "password": "concord-demo"})
assert response.status_code == 302, response.status_code
page = client.get("/partnerships/")
assert page.status_code == 200, page.status_code
# The digest preview and a partnership page run the SQLite paths of the digest's KPI readings,
# the health inputs read together, and the user loaded with their roles.
from partnerships.models import Partnership
preview = client.get("/digests/preview/")
html = preview.content.decode()
assert preview.status_code == 200 and "Preview of your next digest" in html
assert "Your partnerships" in html and ">Health<" in html  # the table with the KPI columns
detail = client.get(Partnership.objects.order_by("pk").first().get_absolute_url())
assert detail.status_code == 200, detail.status_code
print("OK", page.content.decode().count("badge stage-"))
"""


def test_sqlite_default_migrates_seeds_logs_in_and_lists(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env.update(
        CONCORD_ENV="dev",
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
    )

    def run(*args):
        result = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    run("manage.py", "migrate", "--noinput")
    assert "Demo data ready." in run("manage.py", "seed_demo")
    out = run("-c", LOGIN_AND_LIST)
    assert out.startswith("OK")
    assert int(out.split()[1]) >= 10  # the demo partnerships are listed
