"""Run every benchmark against the generated data and write results/latest.json and latest.md.

    python benchmarks/run.py [--only pages,recompute,incremental,digest,fanout,import,load]

Each figure is the median over BENCH_REPEAT runs (default 5; BENCH_PAGE_REPEAT, default 30, for
the pages, sampled round-robin; BENCH_HEAVY_REPEAT, default 3, for the full recompute and the
import; BENCH_FANOUT_REPEAT, default 2, for the fan-out), with min
and max, and each timing is also a ratio to a floor measured in the same run. BENCH_OUTPUT names
the result files (default latest); --only runs some benchmarks and keeps the other figures.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.api_feed import bench_api_feed  # noqa: E402
from benchmarks.bootstrap import ROOT  # noqa: E402
from benchmarks.digest_runs import bench_digest, bench_fanout  # noqa: E402
from benchmarks.import_run import bench_import, import_child  # noqa: E402
from benchmarks.knobs import ALL  # noqa: E402
from benchmarks.load_run import bench_load  # noqa: E402
from benchmarks.measure import vacuum  # noqa: E402
from benchmarks.pack_pdf import bench_pack_pdf  # noqa: E402
from benchmarks.pages import bench_every_page, bench_pages  # noqa: E402
from benchmarks.recompute import bench_incremental, bench_recompute  # noqa: E402
from benchmarks.report import markdown, meta  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
OUTPUT = os.environ.get("BENCH_OUTPUT", "latest")  # results/<OUTPUT>.json and .md

BENCHES = {
    "pages": bench_pages,
    "every_page": bench_every_page,
    "recompute": bench_recompute,
    "incremental": bench_incremental,
    "digest": bench_digest,
    "fanout": bench_fanout,
    "import": bench_import,
    "load": bench_load,
    "pack_pdf": bench_pack_pdf,
    "api_feed": bench_api_feed,
}


def run(only=ALL, *, write=True, out=sys.stdout):
    results = {"meta": meta()}
    vacuum()
    for name in only:
        start = time.perf_counter()
        results[name] = BENCHES[name]()
        out.write(f"{name}: {time.perf_counter() - start:.1f} s {json.dumps(results[name])}\n")
        out.flush()
    if write:
        RESULTS.mkdir(exist_ok=True)
        latest = RESULTS / f"{OUTPUT}.json"
        if set(only) != set(ALL) and latest.exists():
            # A partial run (--only) updates its figures and keeps the others.
            previous = json.loads(latest.read_text())
            if previous.get("meta", {}).get("counts") == results["meta"]["counts"]:
                results = {**previous, **results}
            else:
                then, now = previous.get("meta", {}).get("counts"), results["meta"]["counts"]
                out.write(
                    f"The data differs from {latest.name}'s ({then} then, {now} now): "
                    "it now holds this run's figures only.\n"
                )
        latest.write_text(json.dumps(results, indent=2, default=str) + "\n")
        (RESULTS / f"{OUTPUT}.md").write_text(markdown(results))
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(ALL))
    parser.add_argument("--import-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.import_child:
        return import_child()
    from benchmarks.bootstrap import setup

    setup()
    only = [name for name in args.only.split(",") if name]
    results = run(only)
    sys.stdout.write(markdown(results))


if __name__ == "__main__":
    main()
