"""The benchmark harness at a tiny size, so it cannot rot: the generator and every benchmark run
end to end against real PostgreSQL, SMTP (aiosmtpd) and gunicorn. Times are not asserted."""

import io
import shutil

import pytest

from benchmarks import knobs
from benchmarks import run as bench
from benchmarks.generate import generate
from benchmarks.load_run import bench_load
from governance.models import ActionItem
from kpis.models import Alert, Measurement, MeasurementRevision, Snapshot
from partnerships.models import Partnership
from tests import db as test_db

# gunicorn, in its own process, reads the machine's clock: so must the sessions made for it.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_clock]


@pytest.fixture
def tiny(settings, monkeypatch):
    settings.ROOT_URLCONF = "benchmarks.urls"
    monkeypatch.setenv("BENCH_DATABASE_URL", test_db.url())
    monkeypatch.setenv("BENCH_IMPORT_ROWS", "300")
    for name, value in {
        "REPEAT": 2,
        "PAGE_REPEAT": 2,
        "HEAVY_REPEAT": 1,
        "FANOUT_REPEAT": 1,
        "FANOUT_RECIPIENTS": 10,
        # The workers' broker: this test run's own Redis DB.
        "FANOUT_REDIS_DB": int(settings.REDIS_URL.rsplit("/", 1)[1]),
        "IMPORT_ROWS": 300,
        "API_FEED_ROWS": 300,
        # Long enough for gunicorn's cold workers to answer on a busy machine.
        "LOAD_SECONDS": 5,
        "LOAD_WRITE_SECONDS": 5,
        "LOAD_USERS": 2,
    }.items():
        monkeypatch.setattr(knobs, name, value)
    return generate("tiny", out=io.StringIO())


def _written_rows():
    """What the load run's writes touch, to compare before and after it."""
    return (
        sorted(Measurement.objects.values_list("pk", "value", "note", "recorded_at")),
        MeasurementRevision.objects.count(),
        sorted(ActionItem.objects.values_list("pk", "title")),
        sorted(Snapshot.objects.values_list("pk", "value", "status")),
        Alert.objects.count(),
    )


def test_generator_builds_a_consistent_portfolio(tiny):
    assert tiny["partnerships"] == Partnership.objects.count() == 6
    assert Measurement.objects.count() == tiny["measurements"] == 6 * 3 * 12
    assert Partnership.objects.filter(kpis__snapshots__is_latest=True).exists()


def test_every_benchmark_runs_and_reports(tiny):
    results = bench.run(bench.ALL, write=False, out=io.StringIO())
    pages = results["pages"]
    assert {"floor", "portfolio", "portfolio_filtered", "dashboard"} <= set(pages)
    assert any(name.startswith("panel:") for name in pages)
    assert all(row["queries"] > 0 for name, row in pages.items() if name != "floor")
    assert all(row["runs"] == 2 for name, row in pages.items() if name != "dashboard_all_panels")
    # The pages built after a write did build: their queries are more than when served.
    assert pages["portfolio_after_write"]["queries"] > pages["portfolio"]["queries"]
    every = results["every_page"]
    assert not every["summary"]["errors"]
    assert every["pages"]["executive"]["partnerships:list"]["status"] == 200
    assert results["recompute"]["full_recompute"]["kpis"] == 18
    assert results["recompute"]["full_recompute"]["snapshots_written"] == 0
    assert results["recompute"]["full_recompute_next_week"]["snapshots_written"] > 0
    # The same budget at any size: a value crossing a threshold included (alert, health).
    assert 0 < results["incremental"]["incremental_recompute"]["queries"] <= 10
    assert 0 < results["incremental"]["incremental_recompute_crossing"]["queries"] <= 10
    for digest in results["digest"].values():
        # Built and rendered is the row; its two parts add up to about it.
        assert digest["build_median_ms"] > 0 and digest["render_median_ms"] > 0, digest
    # Real worker processes built the digests and the outbox's task on them sent the emails.
    for key in ("fanout_1_worker", "fanout_2_workers"):
        fan = results["fanout"][key]
        assert fan["emails_received"] + fan["skipped_following_nothing"] == 10, fan
        assert fan["emails_received"] > 0
    assert results["fanout"]["fanout_scaling"]["speedup_2_over_1"] > 0
    memory = results["import"]["import_memory"]
    assert memory["created"] == 300 and memory["all_or_nothing"]
    assert Measurement.objects.count() == 6 * 3 * 12  # the import cleaned up after itself
    assert results["api_feed"]["api_feed_replay"]["created_first"] == 300
    load = results["load"]["load"]
    if "skipped" not in load:
        assert load["requests"] > 0 and load["errors"] == 0, repr(load)
        mixed = results["load"]["load_writes"]
        assert mixed["writes"] > 0 and mixed["checks"] > 0, repr(mixed)
        assert mixed["errors"] == 0 and mixed["stale"] == 0, repr(mixed)
    table = bench.markdown(results)
    assert "| Target |" in table and "portfolio" in table
    assert "Digest parts: digest_manager: build " in table


def test_the_write_mix_shows_every_write_and_puts_the_data_back(settings, monkeypatch):
    """20 users at small, each saving values and editing actions: every write's next page
    shows it, nothing fails, and the rows are as they were afterwards."""
    if not shutil.which("wrk"):
        pytest.skip("wrk is not installed (make wrk)")
    settings.ROOT_URLCONF = "benchmarks.urls"
    monkeypatch.setenv("BENCH_DATABASE_URL", test_db.url())
    for name, value in {
        "LOAD_SECONDS": 2,
        "LOAD_WRITE_SECONDS": 8,
        "LOAD_USERS": 20,
        "FANOUT_REDIS_DB": int(settings.REDIS_URL.rsplit("/", 1)[1]),
    }.items():
        monkeypatch.setattr(knobs, name, value)
    generate("small", out=io.StringIO())
    before = _written_rows()
    mixed = bench_load()["load_writes"]
    assert mixed["writes"] > 0 and mixed["checks"] > 0, repr(mixed)
    assert mixed["errors"] == 0 and mixed["stale"] == 0, repr(mixed)
    assert mixed["alerts_opened"] == 0
    assert _written_rows() == before
