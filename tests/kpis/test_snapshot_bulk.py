"""A full recompute after every row changed (a cold run) rebuilds the table with the same rows,
ids and indexes as the upsert would give, keeps the rows it did not recompute, and never shows
a reader an empty table."""

import threading
import time
from datetime import date

import psycopg
import pytest
from django.db import connection

from kpis.models import Snapshot
from kpis.queries import snapshot_bulk
from kpis.snapshots import recompute
from tests.factories import make_partnership

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


def measured_kpis(partnership, count):
    kpis = [make_kpi(partnership) for _ in range(count)]
    for i, kpi in enumerate(kpis):
        for day, value in months(2024, 1, [100 - i * 9, 85, 70 + i, 95]):
            measure(kpi, day, value)
    return kpis


def rebuild_always(monkeypatch):
    hows = []
    finish = snapshot_bulk.RunWrites.finish
    monkeypatch.setattr(snapshot_bulk.RunWrites, "finish", lambda self: hows.append(finish(self)))
    monkeypatch.setattr(snapshot_bulk, "_table_rows", lambda cursor: 1)
    return hows


def test_a_cold_full_recompute_rebuilds_to_the_same_rows_and_indexes(partnership, monkeypatch):
    kpis = measured_kpis(partnership, 4)
    recompute(partnership_ids=[partnership.pk], today=TODAY)
    expected, before = stored(), indexes_and_constraints()
    Snapshot.objects.filter(kpi=kpis[0], period=date(2024, 2, 1)).delete()  # a new row
    Snapshot.objects.update(fingerprint=None)
    hows = rebuild_always(monkeypatch)
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


def test_a_rebuild_keeps_the_rows_it_did_not_recompute(partnership, partner, manager, monkeypatch):
    other = make_partnership(partner=partner, title="Other", owner=manager)
    measured_kpis(partnership, 2)
    measured_kpis(other, 3)
    recompute(today=TODAY)
    expected, before = stored(), indexes_and_constraints()
    Snapshot.objects.filter(partnership=partnership).update(fingerprint=None)
    hows = rebuild_always(monkeypatch)

    recompute(partnership_ids=[partnership.pk], today=TODAY)

    assert hows == ["rebuild"]
    assert stored() == expected  # the other partnership's rows too, under their own ids
    assert indexes_and_constraints() == before
    monkeypatch.undo()
    with connection.cursor() as cursor:
        # The planner's count is right after the rebuild (the index builds set it), so the
        # next night's few changes are upserted, not rebuilt.
        assert snapshot_bulk._table_rows(cursor) == len(expected)


@pytest.mark.django_db(transaction=True)
def test_a_reader_during_a_rebuild_waits_and_sees_every_row(partnership, monkeypatch):
    measured_kpis(partnership, 3)
    recompute(today=TODAY)
    rows = Snapshot.objects.count()
    Snapshot.objects.update(fingerprint=None)
    rebuild_always(monkeypatch)
    params = connection.get_connection_params()
    seen, reader_pid = [], []

    def read():
        with psycopg.connect(**params, autocommit=True) as reader:
            reader_pid.append(reader.info.backend_pid)
            seen.append(
                reader.execute(f"SELECT count(*) FROM {Snapshot._meta.db_table}").fetchone()[0]
            )

    insert = snapshot_bulk._insert_staged

    def insert_with_a_reader(cursor, *args):
        # The table is emptied and locked: a reader starts now, and must wait for the commit.
        thread = threading.Thread(target=read)
        thread.start()
        deadline = time.monotonic() + 30
        while True:
            # Read afresh: a transaction otherwise sees the activity as it first read it.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = ANY(%s)", [reader_pid]
            )
            if cursor.fetchall() == [("Lock",)]:
                break
            assert time.monotonic() < deadline, "the reader did not wait for the rebuild"
            time.sleep(0.02)
        insert_with_a_reader.thread = thread
        return insert(cursor, *args)

    monkeypatch.setattr(snapshot_bulk, "_insert_staged", insert_with_a_reader)
    recompute(today=TODAY)
    insert_with_a_reader.thread.join(30)
    assert seen == [rows]
