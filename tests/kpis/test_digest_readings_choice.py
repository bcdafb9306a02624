"""The digest's KPI readings choose in the statement how to read the recent snapshots: each
KPI's rows by the (kpi, period) index when the KPIs are few against the table, one range of
the (frequency, period) index per frequency otherwise. Either way the readings are the
reference's, and only the way chosen runs."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kpis import snapshots
from kpis.queries import digest_readings

from .test_query_adapters import TODAY, change, portfolio

pytestmark = pytest.mark.django_db

MONDAY = date(2024, 8, 12)


def _week():
    start = datetime.combine(MONDAY, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    return start, start + timedelta(days=7)


def _plan(ids):
    """The statement's plan as run, for these partnerships."""
    params = digest_readings._params(ids, *_week())
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + digest_readings.RECENT_EITHER_SQL, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _ways_run(plan):
    """{"lookups", "ranges"}: which way's reads of the snapshots ran. Each branch of the union
    is gated by the choice, the ranges' by its negation."""
    ran = set()
    for branch in plan.split('Subquery Scan on "*SELECT*')[1:]:
        way = "ranges" if "One-Time Filter: (NOT" in branch else "lookups"
        reads = [line for line in branch.splitlines() if " on kpis_snapshot " in line]
        if any("never executed" not in line for line in reads):
            ran.add(way)
    return ran


@pytest.fixture
def ids():
    kpis = portfolio()
    change(kpis)
    snapshots.recompute([k.pk for k in kpis], today=TODAY, notify=False)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE kpis_kpi")
    return sorted({k.partnership_id for k in kpis})


@pytest.mark.parametrize(("up_to", "share", "lookups"), [(10**6, 0, True), (0, 0, False)])
def test_either_way_the_readings_are_the_references(ids, monkeypatch, up_to, share, lookups):
    monkeypatch.setattr(digest_readings, "LOOKUPS_UP_TO", up_to)
    monkeypatch.setattr(digest_readings, "LOOKUP_SHARE", share)
    reference = digest_readings.kpi_weeks_reference(ids, *_week())
    assert sorted(digest_readings.kpi_weeks(ids, *_week())) == sorted(reference)
    assert _ways_run(_plan(ids)) == {"lookups" if lookups else "ranges"}


def test_a_share_of_the_tables_kpis_is_read_by_kpi(ids, monkeypatch):
    monkeypatch.setattr(digest_readings, "LOOKUPS_UP_TO", 0)
    few, many = ids[:1], ids
    kpis_of_one = len(digest_readings.kpi_weeks(few, *_week()))
    monkeypatch.setattr(digest_readings, "LOOKUP_SHARE", 0.5)
    assert _ways_run(_plan(few)) == {"lookups"}
    assert _ways_run(_plan(many)) == {"ranges"}
    assert kpis_of_one < len(digest_readings.kpi_weeks(many, *_week())) / 2
