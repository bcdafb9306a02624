"""The COPY upsert that large recomputes use writes exactly the rows bulk_create writes."""

import io

import pytest
from django.db import connection

from benchmarks.generate import generate
from kpis import snapshots
from kpis.models import Kpi, Snapshot

pytestmark = pytest.mark.django_db(transaction=True)

COLUMNS = [
    f.column for f in Snapshot._meta.concrete_fields if f.name not in ("id", "computed_at", "run")
]


def rows():
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(COLUMNS)}, run IS NOT NULL FROM kpis_snapshot "
            "ORDER BY kpi_id, period"
        )
        return cursor.fetchall()


def test_copy_upsert_matches_bulk_create(monkeypatch):
    generate("tiny", out=io.StringIO(), recompute=False)
    ids = list(Kpi.objects.values_list("pk", flat=True))
    monkeypatch.setattr(snapshots, "COPY_THRESHOLD", 10**9)
    snapshots.recompute(ids, notify=False)
    by_bulk = rows()
    Snapshot.objects.all().delete()
    monkeypatch.setattr(snapshots, "COPY_THRESHOLD", 0)
    snapshots.recompute(ids, notify=False)
    assert rows() == by_bulk and len(by_bulk) > 100
    # Upserting again over existing rows (the ON CONFLICT branch) changes nothing.
    snapshots.recompute(ids, notify=False)
    assert rows() == by_bulk
    monkeypatch.setattr(snapshots, "COPY_THRESHOLD", 10**9)
    snapshots.recompute(ids, notify=False)
    assert rows() == by_bulk
