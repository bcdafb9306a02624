"""Each SQL adapter of kpis/queries gives what its plain reference gives, on generated data:
KPIs of every frequency and direction, values above, between and below the thresholds (and
negative, zero, fractional), gaps, finer-grained entries, late entries, an inactive KPI, alerts
in every state and checkpoints due and not due."""

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from django.db import connection, transaction
from django.utils import timezone

from kpis import alerts, snapshots
from kpis.models import (
    Alert,
    AlertEvent,
    AlertNotification,
    Checkpoint,
    CorrectiveAction,
    Kpi,
    Measurement,
    Snapshot,
)
from kpis.queries import alert_moves, digest_readings, snapshot_reads, snapshot_writes
from tests.factories import make_partnership, make_user

from .conftest import make_kpi

pytestmark = pytest.mark.django_db

START = date(2024, 1, 1)
TODAY = date(2024, 9, 18)
FREQUENCIES = ("weekly", "monthly", "quarterly")


def _periods(frequency, until):
    day, out = START, []
    while day <= until:
        out.append(day)
        if frequency == "weekly":
            day += timedelta(weeks=1)
        else:
            step = 1 if frequency == "monthly" else 3
            month = day.month - 1 + step
            day = date(day.year + month // 12, month % 12 + 1, 1)
    return out


def _value(rng):
    roll = rng.random()
    if roll < 0.05:
        return Decimal("0")
    if roll < 0.1:
        return Decimal(str(round(-rng.uniform(0, 50), 3)))
    return Decimal(str(round(rng.uniform(60, 120), 3)))


def _entered(period, rng):
    return datetime.combine(period, datetime.min.time(), tzinfo=UTC) + timedelta(
        days=rng.randint(0, 40), hours=rng.randint(0, 23)
    )


def portfolio(seed=13, kpis=12):
    """KPIs with histories and one recompute: [Kpi]."""
    rng = random.Random(seed)
    owners = [make_user(f"owner{seed}-{i}", "Partner manager") for i in range(2)]
    make_user(f"exec{seed}", "Executive")
    partnerships = [make_partnership(owner=owners[i % 2]) for i in range(3)]
    out, measurements = [], []
    for i in range(kpis):
        frequency = FREQUENCIES[i % 3]
        lower = (i // 3) % 2 == 1
        thresholds = (80, 90, 100) if lower else (100, 90, 80)
        kpi = make_kpi(
            partnerships[i % 3],
            frequency=frequency,
            direction="lower" if lower else "higher",
            aggregation=("sum", "mean", "last")[i % 3],
            **dict(zip(("target", "warning", "critical"), map(Decimal, thresholds), strict=True)),
        )
        out.append(kpi)
        for period in _periods(frequency, TODAY):
            if rng.random() < 0.2:
                continue  # a gap
            measurements.append(
                Measurement(
                    kpi=kpi,
                    period=period,
                    grain=frequency,
                    value=_value(rng),
                    recorded_at=_entered(period, rng),
                )
            )
            if frequency != "weekly" and rng.random() < 0.2:
                measurements.append(
                    Measurement(
                        kpi=kpi,
                        period=period + timedelta(days=7),
                        grain="weekly",
                        value=_value(rng),
                        recorded_at=_entered(period, rng),
                    )
                )
    Measurement.objects.bulk_create(measurements)
    snapshots.recompute([k.pk for k in out], today=TODAY, notify=False)
    return out


def change(kpis, seed=7):
    """What a later run meets: new and corrected values, a lost value, a deactivated KPI,
    checkpoints due and not due."""
    rng = random.Random(seed)
    for kpi in kpis[:6]:
        latest = kpi.measurements.order_by("-period").first()
        latest.value = _value(rng) * 2 if rng.random() < 0.5 else Decimal("10")
        latest.save()
    kpis[6].measurements.order_by("-period").first().delete()
    Kpi.objects.filter(pk=kpis[7].pk).update(is_active=False)
    for alert in Alert.objects.all()[:3]:
        action = CorrectiveAction.objects.create(
            alert=alert,
            kpi_id=alert.kpi_id,
            partnership_id=alert.partnership_id,
            description="Call the partner",
            due_date=TODAY,
        )
        for days, due_on in ((7, TODAY - timedelta(days=1)), (30, TODAY + timedelta(days=20))):
            Checkpoint.objects.create(action=action, days=days, due_on=due_on)


def computed(kpi_ids):
    """The frame a recompute of these active KPIs computes, sorted, with fingerprints."""
    rows = list(
        Kpi.objects.filter(pk__in=kpi_ids, is_active=True)
        .order_by("pk")
        .values(*snapshots.KPI_FIELDS)
    )
    versions, measurements = snapshots.load_frames([r["id"] for r in rows])
    frame = snapshots.maths.compute_snapshots(
        snapshots._kpi_frame(rows), versions, measurements, today=TODAY
    ).sort_values(["kpi_id", "period"])
    frame["fingerprint"] = snapshots.fingerprints(frame)
    return frame


def rolled_back(fn):
    """What ``fn`` returns, with everything it wrote undone."""
    with transaction.atomic():
        out = fn()
        transaction.set_rollback(True)
    return out


def test_measurements(db):
    kpis = portfolio()
    ids = [k.pk for k in kpis] + [10**9]  # one KPI that does not exist
    adapter = snapshot_reads.measurements(ids).sort_values("id").reset_index(drop=True)
    reference = snapshot_reads.measurements_reference(ids).sort_values("id")
    pd.testing.assert_frame_equal(adapter, reference.reset_index(drop=True))
    assert len(adapter) > 100 and (adapter["value"] < 0).any() and (adapter["value"] == 0).any()
    empty = snapshot_reads.measurements([10**9])
    pd.testing.assert_frame_equal(empty, snapshot_reads.measurements_reference([10**9]))


def test_stored_rows(db):
    kpis = portfolio()
    change(kpis)
    ids = [k.pk for k in kpis if k.pk != kpis[7].pk]
    frame = computed(ids)
    # One KPI with no rows computed at all: every stored row of it is stale.
    ranges = snapshots.produced_ranges(frame[frame["kpi_id"] != kpis[8].pk])
    args = {"today": TODAY, "inactive_ids": [kpis[7].pk]}
    adapter = snapshot_reads.stored_rows(ids, ranges, **args)
    reference = snapshot_reads.stored_rows_reference(ids, ranges, **args)
    assert sorted(adapter.fingerprints.tolist()) == sorted(reference.fingerprints.tolist())
    assert adapter.latest == reference.latest and len(adapter.latest) == len(ids)
    assert sorted(adapter.stale_ids) == sorted(reference.stale_ids)
    assert Snapshot.objects.filter(pk__in=adapter.stale_ids, kpi=kpis[8]).count() > 1
    assert adapter.open_alerts == reference.open_alerts and adapter.open_alerts
    assert sorted(adapter.due_checkpoints) == sorted(reference.due_checkpoints)
    assert len(adapter.due_checkpoints) == 3
    nothing = snapshot_reads.stored_rows([10**9], {}, today=TODAY)
    assert (nothing.latest, nothing.stale_ids, nothing.open_alerts) == ({}, [], {})


def _alert(kpi, severity, **fields):
    return Alert.objects.create(
        kpi=kpi,
        partnership_id=kpi.partnership_id,
        severity=severity,
        peak_severity=severity,
        opened_period=START,
        opened_value=Decimal("70"),
        **fields,
    )


def _moves(kpis):
    """Every kind of move, with the races a writer can lose: an alert resolved by another
    writer, one opened by another, an escalation of an alert already off track."""
    Alert.objects.all().delete()
    at_risk, off_track = "at_risk", "off_track"
    alert = {
        0: _alert(kpis[0], at_risk),
        1: _alert(kpis[1], at_risk),
        2: _alert(kpis[2], at_risk, state="resolved", resolved_at=timezone.now()),
        3: _alert(kpis[3], off_track),
        4: _alert(kpis[4], off_track),
        5: _alert(kpis[5], off_track),
        6: _alert(kpis[6], at_risk),
        8: _alert(kpis[8], off_track),
    }
    period, value = date(2024, 9, 1), Decimal("64.125")

    def move(i, kind, **fields):
        return alert_moves.Move(
            kpi_id=kpis[i].pk,
            alert_id=alert[i].pk if i in alert and kind != alerts.OPEN else None,
            move=kind,
            partnership_id=kpis[i].partnership_id,
            period=fields.pop("period", period),
            value=fields.pop("value", value),
            **fields,
        )

    return [
        move(0, alerts.ESCALATE),
        move(1, alerts.RESOLVE, resolution=alerts.RECOVERED),
        move(2, alerts.ESCALATE),  # lost: resolved meanwhile
        move(3, alerts.IMPROVE),
        move(4, alerts.RESOLVE, resolution=alerts.RECOVERED),
        move(5, alerts.ESCALATE),  # lost: already off track
        move(6, alerts.RESOLVE, resolution=alerts.DEACTIVATED, period=None, value=None),
        move(7, alerts.OPEN, severity=at_risk),
        move(8, alerts.OPEN, severity=at_risk),  # lost: opened meanwhile
        move(9, alerts.OPEN, severity=off_track, value=Decimal("-3.5")),
        move(10, alerts.OPEN, severity=at_risk, value=Decimal("0")),
        move(11, alerts.OPEN, severity=off_track),
    ]


def _outcome(apply, todo, notify):
    now = timezone.now()
    events, notifications = apply(todo, now=now, notify=notify)
    alert_rows = sorted(
        Alert.objects.values_list(
            "kpi_id",
            "state",
            "severity",
            "peak_severity",
            "opened_period",
            "opened_value",
            "resolved_period",
            "resolution",
            "escalated_at",
            "resolved_at",
        ),
        key=str,
    )
    event_rows = sorted(
        AlertEvent.objects.filter(pk__in=events).values_list(
            "alert__kpi_id", "kind", "severity", "period", "value", "comment", "at"
        ),
        key=str,
    )
    sent = sorted(
        AlertNotification.objects.filter(pk__in=notifications).values_list(
            "event__alert__kpi_id", "event__kind", "recipients", "state", "created_at"
        ),
        key=str,
    )
    return alert_rows, event_rows, sent


@pytest.mark.parametrize("notify", [True, False])
def test_alert_moves(db, notify, frozen):
    kpis = portfolio()
    todo = _moves(kpis)
    with frozen(datetime(2024, 9, 18, 9)):
        adapter = rolled_back(lambda: _outcome(alert_moves.apply_moves, todo, notify))
        reference = rolled_back(lambda: _outcome(alert_moves.apply_moves_reference, todo, notify))
    assert adapter == reference
    _alerts, events, sent = adapter
    assert len(events) == len(todo) - 3
    assert [kind for _, kind, *_ in sent].count("opened") == 4 and len(sent) == 5
    assert all(len(recipients) == 2 for _, _, recipients, _, _ in sent)  # executive and owner


def _stored(leave_out=("id", "computed_at")):
    columns = [f.column for f in Snapshot._meta.concrete_fields if f.name not in leave_out]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {Snapshot._meta.db_table} ORDER BY kpi_id, period"
        )
        return cursor.fetchall()


def test_snapshot_upserts(db):
    kpis = portfolio()
    change(kpis)
    frame = computed([k.pk for k in kpis])
    run, moment = uuid.uuid4(), timezone.now()
    # New rows and rows rewritten (the ON CONFLICT branch) at once.
    Snapshot.objects.filter(kpi__in=kpis[:4]).delete()

    def write(upsert):
        return rolled_back(lambda: (upsert(frame, moment, run), _stored()))

    adapter, reference = (
        write(snapshot_writes.upsert_by_copy),
        write(snapshot_writes.upsert_reference),
    )
    assert adapter == reference and adapter[0] == len(frame)


def test_a_recompute_writing_thousands_of_changed_rows_matches_the_reference(
    partnership, monkeypatch
):
    """The crash of the old embedded default (the COPY path taken by a recompute changing 1,000+
    rows) cannot come back: 5,000+ rows are written new, then changed, by COPY, and equal what the
    reference writes."""
    weeks = _periods("weekly", TODAY)
    kpis = [make_kpi(partnership, frequency="weekly") for _ in range(150)]
    rng = random.Random(5)
    Measurement.objects.bulk_create(
        Measurement(
            kpi=k, period=w, grain="weekly", value=_value(rng), recorded_at=_entered(w, rng)
        )
        for k in kpis
        for w in weeks
    )
    ids = [k.pk for k in kpis]

    first = snapshots.recompute(ids, today=TODAY, notify=False)
    assert first.snapshots >= 5000
    Measurement.objects.filter(kpi__in=kpis).update(value=Decimal("95.5"))
    changed = snapshots.recompute(ids, today=TODAY, notify=False)
    assert changed.snapshots >= 5000 and changed.snapshots == first.snapshots
    unstamped = ("id", "computed_at", "run")
    by_copy = _stored(unstamped)

    monkeypatch.setattr(snapshots, "COPY_THRESHOLD", 10**9)
    Snapshot.objects.all().delete()
    snapshots.recompute(ids, today=TODAY, notify=False)
    assert _stored(unstamped) == by_copy and len(by_copy) == first.snapshots


@pytest.mark.parametrize("monday", [date(2024, 7, 1), date(2024, 8, 12), date(2024, 9, 16)])
def test_digest_readings(db, monday):
    kpis = portfolio()
    change(kpis)
    snapshots.recompute([k.pk for k in kpis], today=TODAY, notify=False)
    tz = timezone.get_current_timezone()
    week_start = datetime.combine(monday, datetime.min.time(), tzinfo=tz)
    week_end = week_start + timedelta(days=7)
    ids = sorted({k.partnership_id for k in kpis})
    adapter = digest_readings.kpi_weeks(ids, week_start, week_end)
    reference = digest_readings.kpi_weeks_reference(ids, week_start, week_end)
    assert sorted(adapter) == sorted(reference)
    # A manager's few KPIs are read by KPI, an executive's many by range: both agree.
    for by_kpi in (True, False):
        forced = digest_readings.kpi_weeks(ids, week_start, week_end, by_kpi=by_kpi)
        assert sorted(forced) == sorted(reference)
    assert len(adapter) == len(kpis) - 1  # the inactive KPI is left out
    assert any(w.changed for w in adapter)
