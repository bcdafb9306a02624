"""A digest's KPI readings at the two ends of a week: the SQL adapter and its Python reference.

For each active KPI of some partnerships, from its period snapshots: the health rule's reading at
the start of the week (the last period that had closed, or the current one once it had a value
known then; a value typed in later counted as "no data"), the latest value known at the start
of the week, and the latest snapshot with a value by its end. "Known" at the start of the week
means a measurement recorded before it, which each snapshot keeps as ``known_since``.
"""

from collections import defaultdict
from datetime import timedelta
from typing import NamedTuple

from django.db import connection

from partnerships.models import Partnership

from .. import periods
from ..models import Frequency, Kpi, Measurement, Snapshot, Status
from .names import Names

# A quarterly KPI's latest closed period can have started up to ~6 months before a day.
LOOKBACK_DAYS = 200


class KpiWeek(NamedTuple):
    """One active KPI's readings at the two ends of the week (statuses are Status values)."""

    kpi_id: int
    partnership_id: int
    scored: str | None  # the health rule's reading at the start of the week
    before: str | None  # the latest value known at the start of the week
    after_id: int | None  # the snapshot of the latest value by the end of the week
    after: str | None
    kpi_name: str
    partnership_title: str

    @property
    def changed(self):
        return self.after_id is not None and self.before != self.after


# The snapshots of a KPI are one row per period, from its first to the current one, and only
# the last two periods before the week can decide its health reading at the start; they
# usually hold both latest values too. So the readings come from each KPI's snapshots since
# the start of the period before last (``recent_from``). For an executive's ~10,000 KPIs, a
# range scan per frequency of the (frequency, period) index, which carries every column read
# (an index-only scan; an OR of the three ranges kept the planner on a bitmap scan of the
# table: 60 -> 42 ms), and a hash join beat an index lookup per KPI. OLDER_SQL looks further
# back only for the KPIs that need it: no snapshot, no value, or no value known then since
# recent_from.
#
# Each KPI's readings are the latest of its recent snapshots meeting a condition. An aggregate
# picks them without sorting: max() of (day of the period << 47 | what to keep) orders by the
# day first, and the low 47 bits carry the snapshot's id or its status's place in STATUSES
# (docs/decisions/sql-digest-readings.md: an ordered array_agg instead costs ~60 ms more for
# an executive's 10,000 KPIs). Planner settings (JIT, merge joins, work_mem) and ids passed
# as one string were measured there too and went: each saved under a millisecond.
STATUSES = list(Status.values)
_LOW = (1 << 47) - 1


def _range_sql(frequency, of_kpis):
    s = Names(Snapshot)
    return f"""
    SELECT s.{s.id} AS id, s.{s.kpi} AS kpi_id, s.{s.period} AS period,
           s.{s.period_end} AS period_end,
           (s.{s.period} - DATE '2000-01-01')::bigint << 47 AS day,
           array_position(%(statuses)s, s.{s.status}::text) - 1 AS status,
           s.{s.value} IS NOT NULL AS has_value,
           (s.{s.value} IS NOT NULL AND s.{s.known_since} < %(week_start)s) IS TRUE AS known
    FROM {s.table} s
    WHERE s.{s.frequency} = '{frequency}'
      {of_kpis}AND s.{s.period} >= %(from_{frequency})s AND s.{s.period} < %(end_day)s
"""


def _recent_sql(by_kpi):
    """The recent readings: ``by_kpi`` True looks up each KPI's few recent rows in the (kpi,
    period) index, False reads one range of the (frequency, period) index per frequency, None
    holds both and the statement runs one (``lookup``, below)."""
    s, k, p = Names(Snapshot), Names(Kpi), Names(Partnership)
    of_kpis = f"AND s.{s.kpi} IN (SELECT id FROM k)\n      "
    ways = {
        True: [(frequency, of_kpis) for frequency in Frequency.values],
        False: [(frequency, "") for frequency in Frequency.values],
    }
    if by_kpi is None:
        # A condition on an InitPlan alone gates its branch: the other is never run.
        ways[None] = [
            (frequency, f"AND {'' if lookups else 'NOT '}(SELECT yes FROM lookup)\n      " + how)
            for lookups in (True, False)
            for frequency, how in ways[lookups]
        ]
    ranges = "    UNION ALL\n".join(_range_sql(*part) for part in ways[by_kpi])
    # Aggregated per KPI before the join, on narrow rows: grouped with the KPI's name and
    # title, an executive's ~28,000 rows were sorted on disk (work_mem) instead of hashed.
    return f"""
WITH k AS MATERIALIZED (
    SELECT k.{k.id} AS id, k.{k.partnership} AS partnership_id, k.{k.name} AS name
    FROM {k.table} k
    WHERE k.{k.is_active} AND k.{k.partnership} = ANY(%(ids)s::bigint[])
), lookup AS MATERIALIZED (
    SELECT count(*) <= greatest(%(lookups_up_to)s, %(lookup_share)s * (
        SELECT c.reltuples FROM pg_class c WHERE c.oid = '{k.table}'::regclass
    )) AS yes
    FROM k
)
SELECT k.id, k.partnership_id, k.name, p.{p.title}, COALESCE(r.recent, 0),
       r.scored, r.before, r.after_id, r.after
FROM k
JOIN {p.table} p ON p.{p.id} = k.partnership_id
LEFT JOIN (
    SELECT s.kpi_id, count(*) AS recent,
           max(s.day | CASE WHEN s.known THEN s.status ELSE %(no_data)s END)
               FILTER (WHERE s.period < %(start_day)s AND (s.known OR s.period_end < %(start_day)s))
               AS scored,
           max(s.day | s.status) FILTER (WHERE s.period < %(start_day)s AND s.known) AS before,
           max(s.day | s.id) FILTER (WHERE s.has_value) AS after_id,
           max(s.day | s.status) FILTER (WHERE s.has_value) AS after
    FROM ({ranges}) s
    WHERE s.kpi_id IN (SELECT id FROM k)
    GROUP BY s.kpi_id
) r ON r.kpi_id = k.id
"""


def _older_sql():
    s, k = Names(Snapshot), Names(Kpi)
    since = (
        f"s.{s.kpi} = need.kpi_id AND s.{s.period} >= %(since)s AND s.{s.period} < need.recent_from"
    )
    known = f"s.{s.value} IS NOT NULL AND s.{s.known_since} < %(week_start)s"
    return f"""
WITH need AS MATERIALIZED (
    SELECT k.{k.id} AS kpi_id,
           CASE k.{k.frequency} WHEN '{Frequency.WEEKLY}' THEN %(from_weekly)s::date
                                WHEN '{Frequency.MONTHLY}' THEN %(from_monthly)s::date
                                ELSE %(from_quarterly)s::date END AS recent_from,
           k.{k.id} = ANY(%(scored)s::bigint[]) AS scored,
           k.{k.id} = ANY(%(after)s::bigint[]) AS after,
           k.{k.id} = ANY(%(before)s::bigint[]) AS before
    FROM {k.table} k
    WHERE k.{k.id} = ANY(%(kpi_ids)s::bigint[])
)
SELECT need.kpi_id, older_scored.status, older_after.id, older_after.status, older_before.status
FROM need
LEFT JOIN LATERAL (
    SELECT CASE WHEN {known} THEN s.{s.status} ELSE '{Status.NO_DATA}' END AS status
    FROM {s.table} s
    WHERE need.scored AND {since}
    ORDER BY s.{s.period} DESC
    LIMIT 1
) older_scored ON TRUE
LEFT JOIN LATERAL (
    SELECT s.{s.id} AS id, s.{s.status} AS status
    FROM {s.table} s
    WHERE need.after AND {since} AND s.{s.value} IS NOT NULL
    ORDER BY s.{s.period} DESC
    LIMIT 1
) older_after ON TRUE
LEFT JOIN LATERAL (
    SELECT s.{s.status} AS status
    FROM {s.table} s
    WHERE need.before AND {since} AND {known}
    ORDER BY s.{s.period} DESC
    LIMIT 1
) older_before ON TRUE
"""


# The readings look up each KPI's recent rows in the (kpi, period) index when the KPIs are few
# against the table: the range scan reads every KPI's rows of the weeks to keep a few of them
# (a manager's 200 KPIs at the large size: 120 ms against 16 ms; 1,220 of 64,000 at the huge
# size: 57 ms against 12 ms), and the lookups cost ~10 us a KPI against ~1 us a KPI of the
# table for the scan (an executive's 60,600 at huge: 1.0 s against 0.3 s). The statement
# chooses (``lookup``): the planner cannot tell how many KPIs the CTE holds, and picked the
# lookups for an executive's 9,450 KPIs too. Up to LOOKUPS_UP_TO KPIs always, and up to
# LOOKUP_SHARE of the table's KPIs (the planner's count of them).
LOOKUPS_UP_TO = 1000
LOOKUP_SHARE = 0.05
RECENT_SQL = _recent_sql(by_kpi=False)
RECENT_BY_KPI_SQL = _recent_sql(by_kpi=True)
RECENT_EITHER_SQL = _recent_sql(by_kpi=None)
OLDER_SQL = _older_sql()


def _kept(packed):
    """What a RECENT_SQL aggregate kept (a snapshot id or a status's place), None if nothing
    met its condition."""
    return None if packed is None else packed & _LOW


def _kept_status(packed):
    kept = _kept(packed)
    return None if kept is None else STATUSES[kept]


def _params(partnership_ids, week_start, week_end):
    start_day = week_start.date()
    last_day = start_day - timedelta(days=1)
    params = {
        f"from_{frequency}": periods.previous_period(
            periods.period_start(last_day, frequency), frequency
        )
        for frequency in Frequency.values
    }
    params.update(
        ids=sorted(partnership_ids),
        start_day=start_day,
        statuses=STATUSES,
        no_data=STATUSES.index(Status.NO_DATA),
        lookups_up_to=LOOKUPS_UP_TO,
        lookup_share=LOOKUP_SHARE,
        since=start_day - timedelta(days=LOOKBACK_DAYS),
        week_start=week_start,
        end_day=week_end.date(),
    )
    return params


def _recent(cursor, params, by_kpi):
    """({kpi_id: (partnership id, name, title, recent count)}, {kpi_id: [scored, before,
    after id, after]}, {"scored" | "after" | "before": [KPI ids to look further back for]})."""
    kpis, readings, need = {}, {}, {"scored": [], "after": [], "before": []}
    sql = {None: RECENT_EITHER_SQL, True: RECENT_BY_KPI_SQL, False: RECENT_SQL}[by_kpi]
    cursor.execute(sql, params)
    for kpi_id, pid, name, title, recent, *packed in cursor.fetchall():
        kpis[kpi_id] = (pid, name, title, recent)
        scored, before, after_id, after = packed
        readings[kpi_id] = reading = [
            _kept_status(scored),
            _kept_status(before),
            _kept(after_id),
            _kept_status(after),
        ]
        for wanted, missing in (
            ("scored", not recent),
            ("after", reading[2] is None),
            ("before", reading[1] is None),
        ):
            if missing:
                need[wanted].append(kpi_id)
    return kpis, readings, need


def _older(cursor, params, need):
    """{kpi_id: (scored, after id, after, before)} from before the recent periods."""
    kpi_ids = sorted({*need["scored"], *need["after"], *need["before"]})
    if not kpi_ids:
        return {}
    cursor.execute(
        OLDER_SQL,
        {
            "kpi_ids": kpi_ids,
            **need,
            **{key: params[key] for key in params if key.startswith("from_")},
            "since": params["since"],
            "week_start": params["week_start"],
        },
    )
    return {row[0]: row[1:] for row in cursor.fetchall()}


def kpi_weeks(partnership_ids, week_start, week_end, *, by_kpi=None):
    """[KpiWeek] for the active KPIs of the partnerships: one or two statements whatever the
    number of KPIs. ``by_kpi`` forces one way of reading the recent snapshots (tests)."""
    params = _params(partnership_ids, week_start, week_end)
    with connection.cursor() as cursor:
        kpis, readings, need = _recent(cursor, params, by_kpi)
        further = _older(cursor, params, need)
    out = []
    for kpi_id, (pid, name, title, recent) in kpis.items():
        scored, before, after_id, after = readings[kpi_id]
        if kpi_id in further:
            older_scored, older_after_id, older_after, older_before = further[kpi_id]
            if not recent:
                if older_scored is None:
                    continue  # no snapshot in the whole window
                scored = older_scored
            if after_id is None:
                after_id, after = older_after_id, older_after
            if before is None:
                before = older_before
        out.append(KpiWeek(kpi_id, pid, scored, before, after_id, after, name, title))
    return out


# The reference -------------------------------------------------------------------------------

# Snapshot rows as the reference walks them: (kpi_id, pk, period, period_end, has_value,
# status, known then).
_PK, _PERIOD, _PERIOD_END, _HAS_VALUE, _STATUS, _KNOWN = 1, 2, 3, 4, 5, 6


def _reading(snaps, start_day):
    """(scored, before, after row) of a KPI from its snapshot rows, oldest first; each None if
    nothing says."""
    scored = before = after = None
    for snap in snaps:
        if snap[_HAS_VALUE]:
            after = snap
        if snap[_PERIOD] >= start_day:
            continue
        if snap[_HAS_VALUE] and snap[_KNOWN]:
            scored = before = snap[_STATUS]
        elif snap[_PERIOD_END] < start_day:
            scored = Status.NO_DATA
    return scored, before, after


def _snapshots_by_kpi(partnership_ids, week_start, week_end):
    """{kpi_id: [snapshot rows, oldest first]} of the active KPIs' recent snapshots, with what
    was known then taken from the measurements' entry times rather than known_since."""
    start_day, end_day = week_start.date(), week_end.date()
    since = start_day - timedelta(days=LOOKBACK_DAYS)
    snapshots = Snapshot.objects.filter(
        kpi__partnership_id__in=partnership_ids,
        kpi__is_active=True,
        period__gte=since,
        period__lt=end_day,
    ).order_by("kpi_id", "period")
    rows = list(snapshots.values_list("pk", "kpi_id", "period", "period_end", "value", "status"))
    # Known then: a measurement in the period entered before the week began.
    recorded = defaultdict(set)
    earlier = Measurement.objects.filter(
        kpi_id__in={row[1] for row in rows}, recorded_at__lt=week_start, period__gte=since
    ).values_list("kpi_id", "period")
    for kpi_id, period in earlier:
        recorded[kpi_id].add(period)
    by_kpi = defaultdict(list)
    for pk, kpi_id, period, period_end, value, status in rows:
        known = any(period <= day <= period_end for day in recorded[kpi_id])
        by_kpi[kpi_id].append((kpi_id, pk, period, period_end, value is not None, status, known))
    return by_kpi


def kpi_weeks_reference(partnership_ids, week_start, week_end):
    """What ``kpi_weeks`` gives, from every recent snapshot read into Python (three queries)."""
    by_kpi = _snapshots_by_kpi(partnership_ids, week_start, week_end)
    kpis = Kpi.objects.filter(pk__in=list(by_kpi)).values_list(
        "pk", "partnership_id", "name", "partnership__title"
    )
    out = []
    for kpi_id, partnership_id, name, title in kpis:
        scored, before, after = _reading(by_kpi[kpi_id], week_start.date())
        after_id, after = (after[_PK], after[_STATUS]) if after else (None, None)
        out.append(KpiWeek(kpi_id, partnership_id, scored, before, after_id, after, name, title))
    return out
