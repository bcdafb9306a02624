"""The benchmarks' settings, read from the environment (see run.py's docstring)."""

import os

REPEAT = int(os.environ.get("BENCH_REPEAT", 5))
# Pages take milliseconds: more samples, so one slow moment does not move a median.
PAGE_REPEAT = int(os.environ.get("BENCH_PAGE_REPEAT", 30))
HEAVY_REPEAT = int(os.environ.get("BENCH_HEAVY_REPEAT", 3))
FANOUT_REPEAT = int(os.environ.get("BENCH_FANOUT_REPEAT", 2))
COLD_REPEAT = int(os.environ.get("BENCH_COLD_REPEAT", 1))
FANOUT_RECIPIENTS = int(os.environ.get("BENCH_FANOUT_RECIPIENTS", 1000))
# The fan-out's workers use this Redis DB as their broker; it is emptied before and after.
FANOUT_REDIS_DB = int(os.environ.get("BENCH_FANOUT_REDIS_DB", 13))
FANOUT_TIMEOUT = int(os.environ.get("BENCH_FANOUT_TIMEOUT", 600))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 100_000))
API_FEED_ROWS = int(os.environ.get("BENCH_API_FEED_ROWS", 10_000))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", 60))
LOAD_USERS = int(os.environ.get("BENCH_LOAD_USERS", 20))
# Pause of each simulated user between requests; 0 (default) is a closed loop at full speed.
LOAD_THINK_MS = int(os.environ.get("BENCH_LOAD_THINK_MS", 0))
# The write mix that follows the read-only run: its length (0 skips it) and the share of writes.
LOAD_WRITE_SECONDS = int(os.environ.get("BENCH_LOAD_WRITE_SECONDS", LOAD_SECONDS))
LOAD_WRITE_PCT = int(os.environ.get("BENCH_LOAD_WRITE_PCT", 10))
ALL = (
    "pages",
    "every_page",
    "recompute",
    "incremental",
    "digest",
    "fanout",
    "import",
    "load",
    "pack_pdf",
    "api_feed",
)
