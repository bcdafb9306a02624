"""A full recompute after every row changed (a cold run) rebuilds the table with the same rows,
ids and indexes as the upsert would give."""

from datetime import date

import pytest
from django.db import connection

from kpis.models import Snapshot
from kpis.queries import snapshot_bulk
from kpis.snapshots import recompute

from .conftest import make_kpi, measure, months

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 2)


def stored():
    return list(
        Snapshot.objects.order_by("kpi_id", "period").values_list(
            "id", "kpi_id", "period", "status", "value", "target", "known_since", "fingerprint"
        )
    )


def indexes_and_constraints():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1",
            [Snapshot._meta.db_table],
        )
        out = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY 1",
            [Snapshot._meta.db_table],
        )
        return out + cursor.fetchall()


def test_a_cold_full_recompute_rebuilds_to_the_same_rows_and_indexes(partnership, monkeypatch):
    kpis = [make_kpi(partnership) for _ in range(4)]
    for i, kpi in enumerate(kpis):
        for day, value in months(2024, 1, [100 - i * 9, 85, 70 + i, 95]):
            measure(kpi, day, value)
    recompute(partnership_ids=[partnership.pk], today=TODAY)
    expected, before = stored(), indexes_and_constraints()
    Snapshot.objects.filter(kpi=kpis[0], period=date(2024, 2, 1)).delete()  # a new row
    Snapshot.objects.update(fingerprint=None)
    hows = []
    finish = snapshot_bulk.RunWrites.finish

    def spy(self):
        hows.append(finish(self))

    monkeypatch.setattr(snapshot_bulk.RunWrites, "finish", spy)
    monkeypatch.setattr(snapshot_bulk, "_table_rows", lambda cursor: 1)
    result = recompute(partnership_ids=[partnership.pk], today=TODAY)
    assert hows == ["rebuild"] and result.snapshots == len(expected)
    after = stored()
    new = [row for row in after if row[0] not in {r[0] for r in expected}]
    assert [row[1:] for row in after] == [row[1:] for row in expected]
    assert len(new) == 1 and new[0][0] > max(r[0] for r in expected)
    assert indexes_and_constraints() == before


def test_a_few_changed_rows_are_upserted(partnership, monkeypatch):
    kpi = make_kpi(partnership)
    for day, value in months(2024, 1, [100, 85, 70, 95]):
        measure(kpi, day, value)
    recompute(partnership_ids=[partnership.pk], today=TODAY)
    expected = stored()
    Snapshot.objects.filter(period=date(2024, 3, 1)).update(fingerprint=None)
    hows = []
    finish = snapshot_bulk.RunWrites.finish
    monkeypatch.setattr(snapshot_bulk.RunWrites, "finish", lambda self: hows.append(finish(self)))
    monkeypatch.setattr(snapshot_bulk, "_table_rows", lambda cursor: 1000)
    assert recompute(partnership_ids=[partnership.pk], today=TODAY).snapshots == 1
    assert hows == ["upsert"] and stored() == expected
