"""The recent values of some KPIs, for the digest's scorecard cards and the KPI changes it lists:
the SQL adapter and its ORM reference.

The ORM's query joined every KPI (a scan of the table, 10,000 rows at the large size) to read
the few KPIs' unit, and filtered their snapshots through the index on the KPI alone; this one
reads each KPI's rows of the window from the (kpi, period) index and looks its KPI up by key.
"""

from typing import NamedTuple

from django.db import connection

from ..models import Kpi, Snapshot
from .names import Names


class HistoryRow(NamedTuple):
    pk: int
    kpi_id: int
    period: object  # date
    value: object  # Decimal, never None
    status: str
    target: object
    frequency: str  # the snapshot's
    unit: str
    kpi_frequency: str


def _sql():
    s, k = Names(Snapshot), Names(Kpi)
    return f"""
SELECT s.{s.id}, s.{s.kpi}, s.{s.period}, s.{s.value}, s.{s.status}, s.{s.target},
       s.{s.frequency}, k.{k.unit}, k.{k.frequency}
FROM {k.table} k
JOIN {s.table} s ON s.{s.kpi} = k.{k.id}
WHERE k.{k.id} = ANY(%(kpi_ids)s::bigint[])
  AND s.{s.period} >= %(since)s AND s.{s.period} < %(until)s
  AND s.{s.value} IS NOT NULL
ORDER BY s.{s.kpi}, s.{s.period}
"""


HISTORY_SQL = _sql()


def kpi_history(kpi_ids, since, until):
    """[HistoryRow] of the KPIs' snapshots with a value, ``since <= period < until``, by KPI
    then period (one statement)."""
    if not kpi_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            HISTORY_SQL, {"kpi_ids": sorted(set(kpi_ids)), "since": since, "until": until}
        )
        return [HistoryRow(*row) for row in cursor.fetchall()]


def kpi_history_reference(kpi_ids, since, until):
    """What ``kpi_history`` gives, through the ORM."""
    rows = (
        Snapshot.objects.filter(
            kpi_id__in=list(kpi_ids), period__gte=since, period__lt=until, value__isnull=False
        )
        .order_by("kpi_id", "period")
        .values_list(
            "pk",
            "kpi_id",
            "period",
            "value",
            "status",
            "target",
            "frequency",
            "kpi__unit",
            "kpi__frequency",
        )
    )
    return [HistoryRow(*row) for row in rows]
