"""Each KPI's latest snapshot with a value, for the objectives the KPIs measure: the SQL adapter
and its ORM reference.

The ORM's ``DISTINCT ON (kpi)`` sorted every snapshot of every KPI named before it kept one per
KPI: 1.3 s for an executive's strategic goals at the large size (10,000 KPIs, 1.56 million
snapshots), 9 s at huge. This one reads each KPI's newest row from the (kpi, period) index,
backwards, and stops at the first with a value.
"""

from django.db import connection

from ..models import Kpi, Snapshot
from .names import Names


def _sql():
    s, k = Names(Snapshot), Names(Kpi)
    return f"""
SELECT k.{k.objective}, latest.{s.status}, latest.{s.attainment}
FROM {k.table} k
CROSS JOIN LATERAL (
    SELECT s.{s.status}, s.{s.attainment}
    FROM {s.table} s
    WHERE s.{s.kpi} = k.{k.id} AND s.{s.value} IS NOT NULL AND s.{s.period} <= %(today)s
    ORDER BY s.{s.period} DESC
    LIMIT 1
) latest
WHERE k.{k.objective} = ANY(%(objective_ids)s::bigint[]) AND k.{k.is_active}
ORDER BY k.{k.id}
"""


LATEST_SQL = _sql()


def latest_kpi_readings(objective_ids, today):
    """[(objective id, status, attainment)] of the active KPIs of ``objective_ids``, each from
    its latest snapshot with a value on or before ``today``, by KPI (one statement)."""
    if not objective_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(LATEST_SQL, {"objective_ids": sorted(set(objective_ids)), "today": today})
        return [tuple(row) for row in cursor.fetchall()]


def latest_kpi_readings_reference(objective_ids, today):
    """What ``latest_kpi_readings`` gives, through the ORM."""
    if not objective_ids:
        return []
    latest = (
        Snapshot.objects.filter(
            kpi__objective_id__in=objective_ids,
            kpi__is_active=True,
            value__isnull=False,
            period__lte=today,
        )
        .order_by("kpi_id", "-period")
        .distinct("kpi_id")
        .values_list("kpi__objective_id", "status", "attainment")
    )
    return [tuple(row) for row in latest]
