"""The snapshot task on PostgreSQL: upserts, idempotence, crashes, time zones, statement count."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kpis import alerts, services, snapshots
from kpis.models import Alert, AlertEvent, Kpi, Snapshot
from kpis.snapshots import recompute
from tests.factories import make_partnership

from .conftest import make_kpi, measure, months

SNAPSHOT_FIELDS = [
    "kpi_id",
    "period",
    "period_end",
    "value",
    "status",
    "attainment",
    "change",
    "trend",
    "rolling_avg",
    "is_latest",
    "is_closed",
    "kpi_version",
    "target",
]


def rows(**filters):
    return list(
        Snapshot.objects.filter(**filters)
        .order_by("kpi_id", "period")
        .values_list(*SNAPSHOT_FIELDS)
    )


def statuses(kpi):
    return list(
        Snapshot.objects.filter(kpi=kpi).order_by("period").values_list("status", flat=True)
    )


def test_statuses_both_directions(partnership):
    higher = make_kpi(partnership)
    lower = make_kpi(
        partnership,
        direction="lower",
        target=Decimal("5"),
        warning=Decimal("8"),
        critical=Decimal("12"),
    )
    for day, value in months(2024, 1, [100, 90, 80, 79]):
        measure(higher, day, value)
    for day, value in months(2024, 1, [5, 8, 12, 13]):
        measure(lower, day, value)
    recompute([higher.pk, lower.pk], today=date(2024, 5, 3))
    assert statuses(higher) == ["on_track", "on_track", "at_risk", "off_track"]
    assert statuses(lower) == ["on_track", "on_track", "at_risk", "off_track"]


def test_missing_periods_are_no_data_never_scored(partnership):
    kpi = make_kpi(partnership)
    measure(kpi, date(2024, 1, 1), 100)
    measure(kpi, date(2024, 4, 1), 60)
    recompute([kpi.pk], today=date(2024, 6, 10))
    snaps = list(Snapshot.objects.filter(kpi=kpi).order_by("period"))
    assert [s.status for s in snaps] == ["on_track", "no_data", "no_data", "off_track", "no_data"]
    for s in snaps:
        if s.status == "no_data":
            assert s.value is None and s.attainment is None and s.change is None
    assert snaps[-1].is_latest


@pytest.mark.parametrize(
    ("how", "expected"),
    [("sum", "100"), ("mean", "25"), ("last", "40"), ("min", "10"), ("max", "40")],
)
def test_each_aggregation_after_a_kpi_becomes_monthly(partnership, coo, how, expected):
    kpi = make_kpi(partnership, frequency="weekly", aggregation=how)
    for day, value in [(4, 10), (11, 30), (18, 20), (25, 40)]:
        measure(kpi, date(2024, 3, day), value)
    services.kpi_update(kpi=kpi, changes={"frequency": "monthly"}, by=coo, today=date(2024, 4, 10))
    recompute([kpi.pk], today=date(2024, 4, 10))
    march = Snapshot.objects.get(kpi=kpi, period=date(2024, 3, 1))
    assert march.value == Decimal(expected)
    assert march.measurement_count == 4
    # The weekly rows computed before the change are gone.
    assert not Snapshot.objects.filter(kpi=kpi, frequency="weekly").exists()


def test_running_twice_gives_the_same_rows(partnership):
    kpi = make_kpi(partnership)
    for day, value in months(2024, 1, [100, 85, 70, 95]):
        measure(kpi, day, value)
    recompute([kpi.pk], today=date(2024, 6, 2))
    first = rows(kpi=kpi)
    events = AlertEvent.objects.count()
    recompute([kpi.pk], today=date(2024, 6, 2))
    assert rows(kpi=kpi) == first
    assert AlertEvent.objects.count() == events
    assert Snapshot.objects.filter(kpi=kpi).count() == 5


def test_after_a_crash_halfway_a_rerun_gives_the_same_rows(partnership, settings, monkeypatch):
    settings.KPI_SNAPSHOT_CHUNK = 2
    kpis = [make_kpi(partnership) for _ in range(5)]
    for i, kpi in enumerate(kpis):
        for day, value in months(2024, 1, [100, 85 - i, 70, 95 + i]):
            measure(kpi, day, value)
    ids = [k.pk for k in kpis]
    recompute(ids, today=date(2024, 6, 2))
    expected = rows()
    expected_alerts = list(
        Alert.objects.order_by("kpi_id").values_list("kpi_id", "severity", "state")
    )
    Snapshot.objects.all().delete()
    AlertEvent.objects.all().delete()
    Alert.objects.all().delete()

    real = alerts.evaluate
    calls = []

    def crash_on_second_chunk(**kwargs):
        calls.append(1)
        result = real(**kwargs)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return result

    monkeypatch.setattr(alerts, "evaluate", crash_on_second_chunk)
    with pytest.raises(RuntimeError):
        recompute(ids, today=date(2024, 6, 2))
    # The first chunk committed, the second rolled back entirely.
    assert set(Snapshot.objects.values_list("kpi_id", flat=True)) == set(ids[:2])
    monkeypatch.setattr(alerts, "evaluate", real)
    recompute(ids, today=date(2024, 6, 2))
    assert rows() == expected
    assert list(Alert.objects.order_by("kpi_id").values_list("kpi_id", "severity", "state")) == (
        expected_alerts
    )
    assert AlertEvent.objects.filter(kind="opened").count() == len(expected_alerts)


def test_statement_count_does_not_grow_with_the_number_of_kpis(db):
    def scenario(n):
        partnership = make_partnership(owner=None)
        kpis = [make_kpi(partnership) for _ in range(n)]
        for kpi in kpis:
            for day, value in months(2024, 1, [100, 95, 85, 70]):
                measure(kpi, day, value)
        ids = [k.pk for k in kpis]
        with CaptureQueriesContext(connection) as first:
            recompute(ids, today=date(2024, 5, 2))  # opens an alert per KPI
        for kpi in kpis:
            measure(kpi, date(2024, 5, 1), 100)
        with CaptureQueriesContext(connection) as second:
            recompute(ids, today=date(2024, 6, 2))  # resolves them all
        assert Alert.objects.filter(kpi__in=kpis, state="resolved").count() == n
        return len(first), len(second)

    small = scenario(3)
    large = scenario(40)
    assert small == large
    assert max(large) < 25


def test_period_boundaries_follow_the_configured_time_zone(partnership, settings, frozen):
    kpi = make_kpi(partnership, created_at=timezone.make_aware(datetime(2024, 1, 10)))
    measure(kpi, date(2024, 2, 1), 100)
    moment = timezone.make_aware(
        datetime(2024, 3, 31, 12, 0), timezone=timezone.get_fixed_timezone(0)
    )
    settings.TIME_ZONE = "Pacific/Auckland"  # 01:00 on 1 April there
    with frozen(moment):
        recompute([kpi.pk])
        assert timezone.localdate() == date(2024, 4, 1)
    auckland = statuses(kpi)
    assert auckland == ["no_data", "on_track", "no_data"]  # March has closed there

    settings.TIME_ZONE = "America/Los_Angeles"  # still 05:00 on 31 March
    with frozen(moment):
        recompute([kpi.pk])
    assert statuses(kpi) == ["no_data", "on_track"]  # March is still open


def test_entering_a_value_for_a_period_depends_on_the_time_zone(
    partnership, manager, settings, frozen
):
    kpi = make_kpi(partnership)
    moment = timezone.make_aware(
        datetime(2024, 3, 31, 12, 0), timezone=timezone.get_fixed_timezone(0)
    )
    settings.TIME_ZONE = "America/Los_Angeles"
    with frozen(moment), pytest.raises(Exception, match="has not started"):
        services.measurement_record(kpi=kpi, period=date(2024, 4, 1), value="5", by=manager)
    settings.TIME_ZONE = "Pacific/Auckland"
    with frozen(moment):
        _, outcome = services.measurement_record(
            kpi=kpi, period=date(2024, 4, 1), value="5", by=manager
        )
    assert outcome == "created"


def test_a_new_target_changes_later_periods_not_history(partnership, coo):
    kpi = make_kpi(partnership)
    for day, value in months(2024, 1, [95, 95, 95, 95]):
        measure(kpi, day, value)
    recompute([kpi.pk], today=date(2024, 3, 10))
    services.kpi_update(
        kpi=kpi,
        changes={"target": Decimal("200"), "warning": Decimal("150"), "critical": Decimal("120")},
        by=coo,
        today=date(2024, 3, 10),
    )
    recompute([kpi.pk], today=date(2024, 5, 2))
    snaps = Snapshot.objects.filter(kpi=kpi).order_by("period")
    assert [(s.target, s.kpi_version, s.status) for s in snaps] == [
        (Decimal("100"), 1, "on_track"),
        (Decimal("100"), 1, "on_track"),
        (Decimal("200"), 2, "off_track"),
        (Decimal("200"), 2, "off_track"),
    ]


def test_inactive_kpi_keeps_its_snapshots_and_its_alert_resolves(partnership, coo):
    kpi = make_kpi(partnership)
    for day, value in months(2024, 1, [100, 60]):
        measure(kpi, day, value)
    recompute([kpi.pk], today=date(2024, 3, 5))
    assert Alert.objects.get(kpi=kpi).is_open
    services.kpi_update(kpi=kpi, changes={"is_active": False}, by=coo, today=date(2024, 3, 5))
    recompute([kpi.pk], today=date(2024, 6, 5))
    alert = Alert.objects.get(kpi=kpi)
    assert alert.state == "resolved" and alert.resolution == alerts.DEACTIVATED
    assert Snapshot.objects.filter(kpi=kpi).count() == 2  # frozen, no new no-data periods


def test_saving_a_measurement_recomputes_after_commit(
    partnership, manager, django_capture_on_commit_callbacks
):
    kpi = make_kpi(partnership)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.measurement_record(kpi=kpi, period=date(2024, 1, 1), value="70", by=manager)
    assert not Snapshot.objects.filter(kpi=kpi).exists()  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert Snapshot.objects.filter(kpi=kpi, period=date(2024, 1, 1), status="off_track").exists()


def test_compute_snapshots_command(partnership, capsys):
    kpi = make_kpi(partnership)
    measure(kpi, date(2024, 1, 1), 100)
    other = make_kpi(make_partnership(), name="Elsewhere")
    measure(other, date(2024, 1, 1), 100)
    call_command("compute_snapshots", "--partnership", str(partnership.pk))
    assert Snapshot.objects.filter(kpi=kpi).exists()
    assert not Snapshot.objects.filter(kpi=other).exists()
    call_command("compute_snapshots")
    assert Snapshot.objects.filter(kpi=other).exists()
    assert "snapshots" in capsys.readouterr().out


def test_compute_snapshots_command_unknown_partnership(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="no partnership"):
        call_command("compute_snapshots", "--partnership", "999999")


def test_chunk_boundaries_do_not_change_results(partnership, settings):
    kpis = [make_kpi(partnership) for _ in range(5)]
    for i, kpi in enumerate(kpis):
        for day, value in months(2024, 1, [100 - i * 7, 90 - i * 3]):
            measure(kpi, day, value)
    ids = [k.pk for k in kpis]
    recompute(ids, today=date(2024, 3, 2))
    whole = rows()
    settings.KPI_SNAPSHOT_CHUNK = 2
    recompute(ids, today=date(2024, 3, 2))
    assert rows() == whole
    assert snapshots.chunk_size() == 2
    assert Kpi.objects.count() == 5
