"""What the audit trail's triggers add to the KPI import apply and the full recompute.

    BENCH_DATABASE_URL=... python benchmarks/audit_overhead.py

On the generated data (``make bench-data BENCH_SIZE=small``), each figure is timed in the same
run with the audit triggers enabled and disabled (``pgtrigger.disable``, enabled again at the
end whatever happens), the two alternating, and which goes first too, so that a busy moment of
the machine falls on both; the median of BENCH_HEAVY_REPEAT runs each (default 3). Writes
results/audit-overhead-<size>.json and .md. Target: the triggers add at most 25 %.

- import apply: an uploaded import of BENCH_AUDIT_IMPORT_ROWS new values (default 10,000) is
  checked, confirmed and applied, in an audit context like a worker's; the values are deleted
  again after each run (with the triggers off, so the event tables do not grow between runs).
- full recompute: the nightly recompute of every partnership, settled (the usual night: little
  changes) and cold (every snapshot rewritten, as after a change of the rules).
"""

import contextlib
import json
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bootstrap import ROOT, setup  # noqa: E402
from benchmarks.measure import executive, stats, vacuum  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
REPEAT = int(os.environ.get("BENCH_HEAVY_REPEAT", 3))
IMPORT_ROWS = int(os.environ.get("BENCH_AUDIT_IMPORT_ROWS", 10_000))
TARGET_PERCENT = 25


@contextlib.contextmanager
def triggers(enabled):
    """The audit triggers on or off for the block (each a committed ALTER TABLE)."""
    import pgtrigger

    if enabled:
        pgtrigger.enable()  # in case a run stopped short left them off
        yield
        return
    pgtrigger.disable()
    try:
        yield
    finally:
        pgtrigger.enable()


def _import_apply():
    """Seconds to apply one import of IMPORT_ROWS new values; the values are removed after."""
    import pghistory
    from django.core.files.base import ContentFile
    from django.db import connection

    from benchmarks.import_run import import_csv
    from kpis import imports
    from kpis.models import Measurement, MeasurementImport

    user = executive()
    content = import_csv(IMPORT_ROWS)
    batch = MeasurementImport.objects.create(
        uploaded_by=user,
        file=ContentFile(content, name="audit-bench.csv"),
        original_name="audit-bench.csv",
        size=len(content),
    )
    imports.run_validation(batch.pk)
    batch.refresh_from_db()
    assert imports.confirm(batch), batch.state
    start = time.perf_counter()
    with pghistory.context(user=user.pk, source="import"):
        imports.run_apply(batch.pk)
    seconds = time.perf_counter() - start
    batch.refresh_from_db()
    assert batch.created_count == IMPORT_ROWS, (batch.state, batch.message)
    with triggers(False):
        Measurement.objects.filter(import_batch=batch).delete()
        batch.file.delete(save=False)
        batch.delete()
    with connection.cursor() as cursor:  # no dead rows left for the next run to step over
        cursor.execute("VACUUM ANALYZE kpis_measurement, kpis_measurementrevision")
    return seconds


def _recompute(cold):
    from django.utils import timezone

    from kpis.models import Snapshot
    from kpis.snapshots import recompute
    from partnerships.models import Partnership

    ids = list(Partnership.objects.values_list("pk", flat=True))
    if cold:
        Snapshot.objects.update(fingerprint=None)
    start = time.perf_counter()
    recompute(partnership_ids=ids, today=timezone.localdate(), notify=False)
    return time.perf_counter() - start


FIGURES = {
    "import_apply": _import_apply,
    "full_recompute": lambda: _recompute(cold=False),
    "full_recompute_cold": lambda: _recompute(cold=True),
}


def _events():
    """Event rows in the audit tables now (to show what each run wrote)."""
    from django.db import connection

    from audit.registry import event_models

    tables = [m._meta.db_table for m in event_models().values()]
    sql = " + ".join(f'(SELECT count(*) FROM "{t}")' for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}")
        return cursor.fetchone()[0]


def measure():
    out = {}
    _recompute(cold=False)  # settle: the first run after the data changed writes what changed
    for name, run in FIGURES.items():
        samples = {"without": [], "with": []}
        events = 0
        for i in range(REPEAT):
            # Alternating which goes first, so that neither always runs on the other's warm-up.
            for mode in ("without", "with") if i % 2 == 0 else ("with", "without"):
                before = _events()
                with triggers(mode == "with"):
                    samples[mode].append(run())
                if mode == "with":
                    events = _events() - before
        without, with_ = stats(samples["without"]), stats(samples["with"])
        overhead = (with_["median_ms"] / without["median_ms"] - 1) * 100
        # On a busy machine the fastest run of each is the least disturbed one.
        best = (with_["min_ms"] / without["min_ms"] - 1) * 100
        out[name] = {
            "without_triggers": without,
            "with_triggers": with_,
            "overhead_percent": round(overhead, 1),
            "overhead_min_percent": round(best, 1),
            "events_per_run": events,
        }
        print(f"{name}: {json.dumps(out[name])}", flush=True)
    return out


def markdown(results):
    meta = results["meta"]
    lines = [
        f"# Audit trail overhead ({meta['size_hint']})",
        "",
        f"{meta['when']} · {meta['machine']} · {meta['counts']} · import of {IMPORT_ROWS} rows "
        f"· median of {REPEAT} runs each",
        "",
        "| Figure | Without triggers ms | With triggers ms | Overhead | Overhead (min/min) "
        "| Events | Target | Met |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, row in results["figures"].items():
        overhead = row["overhead_percent"]
        lines.append(
            f"| {name} | {row['without_triggers']['median_ms']} | "
            f"{row['with_triggers']['median_ms']} | {overhead} % | "
            f"{row['overhead_min_percent']} % | {row['events_per_run']} | "
            f"≤ {TARGET_PERCENT} % | {'yes' if overhead <= TARGET_PERCENT else '**no**'} |"
        )
    return "\n".join(lines) + "\n"


def main():
    setup()
    from benchmarks.report import meta

    results = {"meta": meta()}
    vacuum()
    results["figures"] = measure()
    name = f"audit-overhead-{results['meta']['size_hint']}"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown(results))
    sys.stdout.write(markdown(results))


if __name__ == "__main__":
    main()
