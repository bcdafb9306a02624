"""5. The spreadsheet import, in a subprocess for its peak memory."""

import json
import os
import resource
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from benchmarks import knobs
from benchmarks.measure import (
    executive,
    stats,
    vacuum,
)

# 5. Import (in a subprocess, for its peak memory) --------------------------------------------


def bench_import():
    samples_v, samples_a, samples_f, peaks, details = [], [], [], [], None
    for _ in range(knobs.HEAVY_REPEAT):
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve().with_name("run.py")), "--import-child"],
            capture_output=True,
            text=True,
            # Recomputes the import enqueues are not run here (no worker): this times the import.
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
                "CELERY_TASK_ALWAYS_EAGER": "false",
                "REDIS_URL": "",
            },
        )
        if proc.returncode:
            raise RuntimeError(f"The import benchmark failed:\n{proc.stderr[-3000:]}")
        details = json.loads(proc.stdout.strip().splitlines()[-1])
        _vacuum_put_back()
        samples_v.append(details["validate_s"])
        samples_a.append(details["apply_s"])
        samples_f.append(details["floor_s"])
        peaks.append(details["peak_mb"])
    floor = stats(samples_f)
    both = [v + a for v, a in zip(samples_v, samples_a, strict=True)]
    return {
        "import_floor_copy": {"rows": details["rows"], **floor},
        "import_validate": {"rows": details["rows"], **stats(samples_v)},
        "import_apply": {"rows": details["rows"], **stats(samples_a, floor=floor["median_ms"])},
        "import_validate_and_apply": {"rows": details["rows"], **stats(both)},
        "import_memory": {
            "peak_mb": max(peaks),
            "baseline_mb": details["baseline_mb"],
            "all_or_nothing": details["all_or_nothing"],
            "created": details["created"],
        },
    }


def import_csv(rows):
    """A CSV of ``rows`` new weekly values for periods before the generated history."""
    from kpis.models import Kpi, Measurement

    kpis = list(Kpi.objects.order_by("pk").values_list("pk", flat=True))
    first = Measurement.objects.order_by("period").values_list("period", flat=True).first()
    weeks = -(-rows // len(kpis))
    lines, n = ["kpi_id,period,value,note"], 0
    for back in range(1, weeks + 1):
        period = (first - timedelta(weeks=back)).isoformat()
        for pk in kpis:
            if n == rows:
                break
            lines.append(f"{pk},{period},{(pk * 7 + back) % 90 + 5},imported")
            n += 1
    return ("\n".join(lines) + "\n").encode()


FLOOR_TABLE = "_bench_measurement_floor"


def copy_floor(content, user):
    """Seconds for a raw COPY of the file's rows into a scratch copy of the measurements table
    (its rows, indexes and checks; no triggers or foreign keys), rolled back: the floor of the
    apply, which writes the same rows."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kpis.models import Kpi

    grains = dict(Kpi.objects.values_list("pk", "frequency"))
    now = timezone.now().isoformat()
    lines = []
    for line in content.decode().splitlines()[1:]:
        kpi, period, value, note = line.split(",")
        lines.append(
            f"{kpi}\t{grains[int(kpi)]}\t{period}\t{value}\t{note}\timport\t{user.pk}\t{now}\n"
        )
    text = "".join(lines)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DROP TABLE IF EXISTS {FLOOR_TABLE}; "
            f"CREATE TABLE {FLOOR_TABLE} (LIKE kpis_measurement INCLUDING ALL); "
            f"INSERT INTO {FLOOR_TABLE} SELECT * FROM kpis_measurement; ANALYZE {FLOOR_TABLE}; "
            f"SELECT setval(pg_get_serial_sequence('{FLOOR_TABLE}', 'id'), "
            f"(SELECT max(id) FROM {FLOOR_TABLE}))"
        )
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            start = time.perf_counter()
            with cursor.copy(
                f"COPY {FLOOR_TABLE} (kpi_id, grain, period, value, note, source, "
                "recorded_by_id, recorded_at) FROM STDIN"
            ) as copy:
                copy.write(text)
            seconds = time.perf_counter() - start
            transaction.set_rollback(True)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {FLOOR_TABLE}")
    return seconds


def peak_rss_mb():
    """This process's peak resident memory. Linux's VmHWM belongs to the program exec'd here;
    ru_maxrss survives exec and would report the parent harness's peak instead."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _lasts():
    """The newest recompute mark and measurement history event, before the import."""
    from audit.models import KpisMeasurementEvent
    from kpis.models import RecomputeMark

    mark = RecomputeMark.objects.order_by("-pk").values_list("pk", flat=True).first()
    event = KpisMeasurementEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return mark or 0, event or 0


def _vacuum_put_back():
    """The tables ``_put_back`` deleted the run's rows from, cleared as autovacuum would
    (``vacuum``): each run then writes into the table the first one did, as the floor's fresh
    copy always does."""
    from audit.models import KpisMeasurementEvent
    from kpis.models import Measurement, MeasurementImport, RecomputeMark

    models = (Measurement, KpisMeasurementEvent, RecomputeMark, MeasurementImport)
    vacuum(*(model._meta.db_table for model in models))


def _put_back(batches, lasts):
    """Leave the data as it was for the next run: the rows go, and so do the recompute marks
    the import left for a worker (none runs here: the next save would sweep 10,000 KPIs) and
    the 200,000 history events of writing and deleting the rows (each run would grow the
    audit trail the history pages read)."""
    from audit.models import KpisMeasurementEvent
    from kpis.models import Measurement, RecomputeMark

    last_mark, last_event = lasts
    Measurement.objects.filter(import_batch__in=batches).delete()
    RecomputeMark.objects.filter(pk__gt=last_mark).delete()
    KpisMeasurementEvent.objects.filter(pk__gt=last_event).delete()
    for b in batches:
        b.file.delete(save=False)
        b.delete()


def import_child():
    from benchmarks.bootstrap import setup

    setup()
    from django.core.files.base import ContentFile

    from kpis import imports
    from kpis.models import Measurement, MeasurementImport

    baseline = peak_rss_mb()
    user = executive()
    content = import_csv(knobs.IMPORT_ROWS)
    before = Measurement.objects.count()

    def new_batch(data):
        return MeasurementImport.objects.create(
            uploaded_by=user,
            file=ContentFile(data, name="bench.csv"),
            original_name="bench.csv",
            size=len(data),
        )

    # All-or-nothing: the same file with one bad row at the end is refused whole.
    bad = new_batch(content + b"999999999,2020-01-06,1,bad\n")
    imports.run_validation(bad.pk)
    bad.refresh_from_db()
    refused = bad.state == MeasurementImport.State.INVALID and Measurement.objects.count() == before

    floor_s = copy_floor(content, user)
    lasts = _lasts()
    batch = new_batch(content)
    start = time.perf_counter()
    imports.run_validation(batch.pk)
    validate_s = time.perf_counter() - start
    batch.refresh_from_db()
    assert batch.state == MeasurementImport.State.READY, (batch.state, batch.errors[:3])
    assert imports.confirm(batch)
    start = time.perf_counter()
    imports.run_apply(batch.pk)
    apply_s = time.perf_counter() - start
    batch.refresh_from_db()
    peak = peak_rss_mb()
    created = batch.created_count
    _put_back([bad, batch], lasts)
    print(
        json.dumps(
            {
                "rows": knobs.IMPORT_ROWS,
                "validate_s": validate_s,
                "apply_s": apply_s,
                "floor_s": floor_s,
                "peak_mb": round(peak, 1),
                "baseline_mb": round(baseline, 1),
                "all_or_nothing": bool(refused and created == knobs.IMPORT_ROWS),
                "created": created,
                "state": batch.state,
            }
        )
    )
