"""The snapshot and import tasks on a real Celery worker, with Redis as the broker."""

import pytest
from django.core.files.base import ContentFile

from config import celery_app
from kpis import periods, tasks
from kpis.models import Alert, MeasurementImport, Snapshot
from tests.factories import make_partner, make_partnership, make_user

from .conftest import make_kpi, measure, months

# The worker's thread waits on the clock: time runs, from tests.clock.NOW.
pytestmark = pytest.mark.ticking_clock


def test_snapshot_task_runs_on_a_real_worker(real_worker):
    assert celery_app.conf.broker_url.startswith("redis://")
    partnership = make_partnership(partner=make_partner(), owner=make_user("owner"))
    kpi = make_kpi(partnership)
    first = periods.recent_periods("monthly", 3)[0]  # two closed months, then the current one
    for day, value in months(first.year, first.month, [100, 60]):
        measure(kpi, day, value)
    result = tasks.recompute_kpis.delay([kpi.pk])
    summary = result.get(timeout=60)
    assert summary["kpis"] == 1 and summary["snapshots"] >= 2
    assert Snapshot.objects.filter(kpi=kpi, is_latest=True).exists()
    assert Alert.objects.filter(kpi=kpi).count() == 1
    # The nightly task too, twice: the same rows.
    before = list(Snapshot.objects.values_list("kpi_id", "period", "status", "value"))
    tasks.recompute_all.delay().get(timeout=60)
    tasks.recompute_all.delay().get(timeout=60)
    assert list(Snapshot.objects.values_list("kpi_id", "period", "status", "value")) == before
    assert Alert.objects.filter(kpi=kpi).count() == 1


def test_import_validation_task_on_a_real_worker(real_worker):
    user = make_user("importer", "Partner manager")
    partnership = make_partnership(partner=make_partner(), owner=user)
    kpi = make_kpi(partnership)
    batch = MeasurementImport.objects.create(uploaded_by=user, original_name="m.csv")
    batch.file.save("m.csv", ContentFile(f"kpi_id,period,value\n{kpi.pk},2024-01-01,5\n".encode()))
    tasks.validate_import.delay(batch.pk).get(timeout=60)
    batch.refresh_from_db()
    assert batch.state == "ready" and batch.summary["create"] == 1
