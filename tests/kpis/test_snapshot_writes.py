"""A recompute writes only the snapshot rows whose values changed, and scores health again only
where a KPI's latest status moved."""

import importlib
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis import snapshots
from kpis.models import HealthSnapshot, Kpi, Snapshot
from kpis.queries import snapshot_reads
from kpis.snapshots import recompute

from .conftest import make_kpi, measure, months

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 2)


def ids_by_period(kpi):
    return dict(Snapshot.objects.filter(kpi=kpi).values_list("period", "id"))


def runs_by_period(kpi):
    return dict(Snapshot.objects.filter(kpi=kpi).values_list("period", "run"))


def test_a_second_run_with_nothing_new_writes_nothing(partnership):
    kpi = make_kpi(partnership)
    for day, value in months(2024, 1, [100, 85, 70, 95]):
        measure(kpi, day, value)
    first = recompute([kpi.pk], today=TODAY)
    assert (first.snapshots, first.unchanged) == (5, 0)
    before = ids_by_period(kpi)

    again = recompute([kpi.pk], today=TODAY)
    assert (again.snapshots, again.unchanged) == (0, 5)
    assert ids_by_period(kpi) == before
    assert not Snapshot.objects.filter(kpi=kpi, fingerprint__isnull=True).exists()


def test_a_new_value_rewrites_only_the_rows_it_changes(partnership):
    kpi = make_kpi(partnership)
    for day, value in months(2024, 1, [100, 85, 70, 95]):
        measure(kpi, day, value)
    recompute([kpi.pk], today=TODAY)
    before, ids = runs_by_period(kpi), ids_by_period(kpi)

    measure(kpi, date(2024, 5, 1), 60)  # the empty May gets a value
    result = recompute([kpi.pk], today=TODAY)
    after = runs_by_period(kpi)
    assert result.snapshots == 1 and result.unchanged == 4
    assert {p for p in after if after[p] != before[p]} == {date(2024, 5, 1)}
    assert ids_by_period(kpi) == ids  # updated in place
    may = Snapshot.objects.get(kpi=kpi, period=date(2024, 5, 1))
    assert (may.value, may.status, may.change) == (60, "off_track", -35)


def test_a_period_no_longer_produced_is_deleted(partnership):
    kpi = make_kpi(partnership)
    for day, value in months(2024, 1, [100, 95, 90]):
        measure(kpi, day, value)
    recompute([kpi.pk], today=TODAY)
    assert Snapshot.objects.filter(kpi=kpi).count() == 5
    kpi.created_at = kpi.created_at.replace(month=3)
    kpi.save(update_fields=["created_at"])
    kpi.measurements.filter(period__lt=date(2024, 3, 1)).delete()

    recompute([kpi.pk], today=TODAY)
    assert sorted(Snapshot.objects.filter(kpi=kpi).values_list("period", flat=True)) == [
        date(2024, 3, 1),
        date(2024, 4, 1),
        date(2024, 5, 1),
    ]


def test_the_current_period_losing_its_value_is_deleted_and_both_readers_agree(partnership):
    kpi = make_kpi(partnership)
    other = make_kpi(partnership, name="Untouched")
    for day, value in months(2024, 1, [100, 95, 90, 85, 80, 75]):  # June is the current month
        measure(kpi, day, value)
        measure(other, day, value)
    recompute([kpi.pk, other.pk], today=TODAY)
    assert Snapshot.objects.filter(kpi=kpi, period=date(2024, 6, 1)).exists()
    june = Snapshot.objects.get(kpi=kpi, period=date(2024, 6, 1)).pk
    kpi.measurements.filter(period=date(2024, 6, 1)).delete()

    # What a run reads of the stored rows, by the adapter and by its ORM reference.
    ids = [kpi.pk, other.pk]
    rows = Kpi.objects.filter(pk__in=ids).order_by("pk").values(*snapshots.KPI_FIELDS)
    versions, measurements = snapshots.load_frames(ids)
    frame = snapshots.maths.compute_snapshots(
        snapshots._kpi_frame(list(rows)), versions, measurements, today=TODAY
    ).sort_values(["kpi_id", "period"])
    ranges = snapshots.produced_ranges(frame)
    by_sql = snapshot_reads.stored_rows(ids, ranges, today=TODAY)
    by_orm = snapshot_reads.stored_rows_reference(ids, ranges, today=TODAY)
    assert by_sql.stale_ids == by_orm.stale_ids == [june]
    assert by_sql.latest == by_orm.latest
    assert sorted(by_sql.fingerprints.tolist()) == sorted(by_orm.fingerprints.tolist())
    assert by_sql.open_alerts == by_orm.open_alerts
    assert by_sql.open_alerts[kpi.pk]["severity"] == "off_track"  # from June's 75
    assert by_sql.due_checkpoints == by_orm.due_checkpoints

    recompute(ids, today=TODAY)
    assert not Snapshot.objects.filter(pk=june).exists()
    assert Snapshot.objects.get(kpi=kpi, is_latest=True).period == date(2024, 5, 1)
    assert Snapshot.objects.filter(kpi=other).count() == 6


def test_health_is_scored_again_only_when_a_latest_status_moves(partnership, clock):
    kpi = make_kpi(partnership)
    for day, value in months(2024, 1, [100, 95, 92, 96, 99]):
        measure(kpi, day, value)
    recompute([kpi.pk], today=TODAY)
    health = HealthSnapshot.objects.get(partnership=partnership)

    may = kpi.measurements.filter(period=date(2024, 5, 1))
    may.update(value=97)  # a correction: still on track
    clock.shift(timedelta(minutes=1))
    with CaptureQueriesContext(connection) as quiet:
        result = recompute([kpi.pk], today=TODAY)
    assert result.snapshots >= 1 and not result.health_changed
    assert HealthSnapshot.objects.get(partnership=partnership).computed_at == health.computed_at

    may.update(value=50)  # now off track: health must move
    clock.shift(timedelta(minutes=1))
    result = recompute([kpi.pk], today=TODAY)
    assert result.health_changed == {partnership.pk}
    moved = HealthSnapshot.objects.get(partnership=partnership)
    assert moved.computed_at > health.computed_at and moved.score < health.score
    # Snapshots, alerts and checkpoints of one KPI, in a transaction, when nothing else moves.
    assert len(quiet) <= 9


def test_a_full_recompute_scores_every_partnership_in_scope(partnership, clock):
    kpi = make_kpi(partnership)
    measure(kpi, date(2024, 1, 1), 100)
    recompute(partnership_ids=[partnership.pk], today=TODAY)
    first = HealthSnapshot.objects.get(partnership=partnership).computed_at
    clock.shift(timedelta(minutes=1))
    result = recompute(partnership_ids=[partnership.pk], today=TODAY)
    assert result.snapshots == 0 and not result.health_changed
    assert HealthSnapshot.objects.get(partnership=partnership).computed_at > first


def test_the_adapter_and_orm_readers_give_the_same_measurements(partnership):
    kpi = make_kpi(partnership, frequency="monthly")
    for day, value in months(2024, 1, [100.125, 0, -3.5]):
        measure(kpi, day, value)
    measure(kpi, date(2024, 2, 5), 7, grain="weekly")
    fast = snapshots.load_frames([kpi.pk])[1].sort_values("id").reset_index(drop=True)
    slow = snapshot_reads.measurements_reference([kpi.pk])
    slow = slow.sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(fast, slow, check_exact=False, atol=1e-6)
    assert fast["period"].tolist()[:2] == [19723, 19754]  # 2024-01-01, 2024-02-01 as days
    assert fast["value"].tolist()[:3] == [100.125, 0.0, -3.5]


def test_fingerprints_depend_on_every_computed_column():
    frame = pd.DataFrame(
        {
            name: [1.5, 1.5] if name in ("value", "target") else ["x", "x"]
            for name in snapshots.maths.SNAPSHOT_COLUMNS
        }
    )
    same = snapshots.fingerprints(frame)
    assert same[0] == same[1]
    for name in snapshots.maths.SNAPSHOT_COLUMNS:
        changed = frame.copy()
        changed.loc[1, name] = 2.5 if name in ("value", "target") else "y"
        hashes = snapshots.fingerprints(changed)
        assert hashes[0] != hashes[1], name


def test_each_snapshot_knows_when_its_first_value_was_entered(partnership):
    def at(day, hour=9):
        return datetime(2024, *day, hour, tzinfo=UTC)

    kpi = make_kpi(partnership)  # monthly
    measure(kpi, date(2024, 1, 1), 100, recorded_at=at((2, 3)))
    # April's own value wins, but a weekly one entered before it made April known first.
    measure(kpi, date(2024, 4, 8), 20, grain="weekly", recorded_at=at((4, 10)))
    measure(kpi, date(2024, 4, 1), 95, recorded_at=at((4, 20)))
    # March from two weekly values, the later one entered first.
    measure(kpi, date(2024, 3, 11), 40, grain="weekly", recorded_at=at((3, 20)))
    measure(kpi, date(2024, 3, 4), 30, grain="weekly", recorded_at=at((3, 25)))
    recompute([kpi.pk], today=TODAY)
    known = dict(Snapshot.objects.filter(kpi=kpi).values_list("period", "known_since"))
    assert known[date(2024, 1, 1)] == at((2, 3))
    assert known[date(2024, 2, 1)] is None  # no value
    assert known[date(2024, 3, 1)] == at((3, 20))
    april = Snapshot.objects.get(kpi=kpi, period=date(2024, 4, 1))
    assert (april.value, april.known_since) == (95, at((4, 10)))

    # A value entered later for January leaves it as it was; one entered for February sets it.
    measure(kpi, date(2024, 1, 8), 5, grain="weekly", recorded_at=at((5, 1)))
    measure(kpi, date(2024, 2, 1), 90, recorded_at=at((5, 2)))
    result = recompute([kpi.pk], today=TODAY)
    known = dict(Snapshot.objects.filter(kpi=kpi).values_list("period", "known_since"))
    assert known[date(2024, 1, 1)] == at((2, 3))
    assert known[date(2024, 2, 1)] == at((5, 2))
    assert result.snapshots >= 1


def test_the_migration_fills_in_when_stored_snapshots_were_first_known(partnership):
    migration = importlib.import_module("kpis.migrations.0005_snapshot_known_since")
    kpi = make_kpi(partnership)
    weekly = make_kpi(partnership, name="Weekly calls", frequency="weekly")
    entered = datetime(2024, 4, 2, 8, tzinfo=UTC)
    for day, value in months(2024, 1, [100, 85, 70]):
        measure(kpi, day, value, recorded_at=entered)
    measure(weekly, date(2024, 5, 22), 7, grain="weekly", recorded_at=entered)
    recompute([kpi.pk, weekly.pk], today=TODAY)
    expected = dict(Snapshot.objects.values_list("pk", "known_since"))
    assert any(expected.values())
    Snapshot.objects.update(known_since=None)
    with connection.schema_editor() as editor:
        migration.backfill(apps, editor)
    assert dict(Snapshot.objects.values_list("pk", "known_since")) == expected
