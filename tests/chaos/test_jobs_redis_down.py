"""Redis stopped during a save: the page says the value is saved (no 500), and once Redis is back
the sweep recomputes it without anyone saving again."""

import json
import subprocess
import sys
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from kpis.models import Measurement, RecomputeMark, Snapshot
from tests.factories import make_partner, make_partnership, make_user
from tests.kpis.conftest import make_kpi

from .jobs_processes import own_redis, process_env, record, send, start_worker, wait_until

__all__ = ["own_redis", "start_worker"]  # fixtures

# Real processes read the machine's clock, so this side does too.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_clock]

JANUARY = date(2024, 1, 1)

# The web side: a process of its own whose broker and cache are the stopped Redis, saving
# through the real view with Django's test client.
SAVE = """
import json, time, django
django.setup()
from django.test import Client
client = Client()
client.force_login(django.contrib.auth.get_user_model().objects.get(pk={user}))
started = time.monotonic()
response = client.post("{url}", {{"period": "2024-01-01", "value": "70"}}, secure=True)
seconds = time.monotonic() - started
page = client.get(response.headers.get("Location", "{url}"), secure=True)
print(json.dumps({{"status": response.status_code, "seconds": seconds, "page": page.text}}))
"""


def save_in_a_web_process(env, user, kpi):
    code = SAVE.format(user=user.pk, url=reverse("kpis:measurement_create", args=[kpi.pk]))
    run = subprocess.run(
        [sys.executable, "-c", "import django.contrib.auth\n" + code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1]), run.stderr


def test_jobs_a_save_while_redis_is_down_is_kept_and_recomputed_when_it_returns(
    own_redis, start_worker
):
    manager = make_user("manager", "Partner manager")
    kpi = make_kpi(make_partnership(partner=make_partner(), owner=manager))
    env = process_env(own_redis.url)

    own_redis.stop()  # by its PID
    answer, log = save_in_a_web_process(env, manager, kpi)

    assert answer["status"] == 302, answer["page"][-2000:]  # not "Server Error (500)"
    assert answer["seconds"] < 5, "the page waited on the broker"
    assert "Value recorded." in answer["page"]
    assert "dashboard will catch up" in answer["page"]
    assert "Could not queue kpis.recompute_marked" in log
    assert Measurement.objects.get(kpi=kpi, period=JANUARY).value == 70
    assert list(RecomputeMark.objects.values_list("kind", "target_id")) == [("kpi", kpi.pk)]
    assert not Snapshot.objects.filter(kpi=kpi).exists()

    own_redis.start()
    start_worker(env)
    send(own_redis.url, "kpis.recompute_marked")  # beat's sweep, due every minute
    wait_until(lambda: not RecomputeMark.objects.exists(), 30, "the sweep")

    snapshot = Snapshot.objects.get(kpi=kpi, period=JANUARY)
    assert (snapshot.value, snapshot.status) == (70, "off_track")
    record(
        "redis down during a save",
        saves=1,
        saved_committed=Measurement.objects.filter(kpi=kpi).count(),
        answered_500=0,
        save_seconds=round(answer["seconds"], 3),
        recomputes_done=Snapshot.objects.filter(kpi=kpi, period=JANUARY).count(),
        marks_left=RecomputeMark.objects.count(),
    )
