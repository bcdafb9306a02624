"""2 and 3. The full nightly recompute against a GROUP BY floor, and one new value."""

import re
from datetime import timedelta

from benchmarks import knobs
from benchmarks.measure import (
    dashboard_partnership,
    stats,
    timed,
    vacuum,
)

TRANSACTION_SQL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", re.I)

# 2. Full recompute ---------------------------------------------------------------------------

FLOOR_SQL = (
    "SELECT kpi_id, period, count(*), sum(value), avg(value), min(value), max(value) "
    "FROM kpis_measurement GROUP BY kpi_id, period"
)


def _floor():
    """The raw GROUP BY over the measurements; returns its number of groups."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL)
        return len(cursor.fetchall())


def bench_recompute():
    """The nightly full recompute against a raw GROUP BY over the same table, in three cases:
    nothing new since the last run (the usual night), a week later (every weekly KPI gains a
    period and closes one), and cold (every row rewritten, as after a change of the rules)."""
    import time_machine
    from django.utils import timezone

    from kpis.models import Snapshot
    from kpis.snapshots import recompute
    from partnerships.models import Partnership

    floor_samples, groups = timed(_floor, knobs.HEAVY_REPEAT)
    floor_stats = stats(floor_samples)
    ids = list(Partnership.objects.values_list("pk", flat=True))
    today = timezone.localdate()

    def full(day=today):
        return recompute(partnership_ids=ids, today=day, notify=False)

    full()  # settle: the first run after the data changed writes what changed
    out = {"floor_group_by": {"groups": groups, **floor_stats}}
    samples, result = timed(full, knobs.HEAVY_REPEAT)
    out["full_recompute"] = {
        "kpis": result.kpis,
        "snapshots_written": result.snapshots,
        "snapshots_unchanged": result.unchanged,
        **stats(samples, floor=floor_stats["median_ms"]),
    }

    def next_week():
        # Travelled to, so the run is the live one a real night would be (health included).
        with time_machine.travel(timezone.now() + timedelta(days=7), tick=True):
            return full(today + timedelta(days=7))

    samples, result = timed(next_week, 1, setup=full)
    out["full_recompute_next_week"] = {
        "snapshots_written": result.snapshots,
        "snapshots_unchanged": result.unchanged,
        **stats(samples, floor=floor_stats["median_ms"]),
    }
    full()  # back to today

    def forget():
        full()
        Snapshot.objects.update(fingerprint=None)

    if knobs.COLD_REPEAT:
        samples, result = timed(full, knobs.COLD_REPEAT, setup=forget)
        out["full_recompute_cold"] = {
            "snapshots_written": result.snapshots,
            **stats(samples, floor=floor_stats["median_ms"]),
        }
    # Leave the table as autovacuum would after the rewrites.
    vacuum()
    return out


# 3. Incremental recompute --------------------------------------------------------------------


def bench_incremental():
    """One new value for one KPI, recomputed: the usual case (the value moves, the status does
    not), and a value crossing a threshold each time (an alert opens or resolves, health moves)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from kpis.models import Kpi, Measurement
    from kpis.snapshots import recompute

    kpi = Kpi.objects.filter(partnership=dashboard_partnership()).order_by("pk").first()
    period = kpi.current_period(timezone.localdate())
    target, critical = float(kpi.target), float(kpi.critical)
    better = 1 if kpi.direction == "higher" else -1
    off = critical - better * (abs(critical) + 1)
    values = iter([])

    def record():
        Measurement.objects.update_or_create(
            kpi=kpi, grain=kpi.frequency, period=period, defaults={"value": next(values)}
        )

    def run():
        with CaptureQueriesContext(connection) as queries:
            recompute([kpi.pk], notify=False)
        statements = [q["sql"] for q in queries.captured_queries]
        counts.append(len(statements))
        data.append(len([s for s in statements if not TRANSACTION_SQL.match(s)]))

    out = {}
    cases = {
        # Moves within the on-track band after a first, untimed value settles the status.
        "incremental_recompute": [target + better * i / 1000 for i in range(knobs.REPEAT + 1)],
        "incremental_recompute_crossing": [off, target] * knobs.REPEAT,
    }
    for name, sequence in cases.items():
        values = iter(sequence)
        record()
        recompute([kpi.pk], notify=False)
        counts, data = [], []
        samples, _ = timed(run, len(sequence) - 1, setup=record)
        out[name] = {
            "kpi": kpi.pk,
            "queries": max(counts),
            "queries_without_transaction_control": max(data),
            **stats(samples),
        }
    Measurement.objects.filter(kpi=kpi, period=period).delete()
    recompute([kpi.pk], notify=False)
    return out
