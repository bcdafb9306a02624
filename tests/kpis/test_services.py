"""KPI definitions, measurements and corrections, the gate, health and selectors."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kpis import health, selectors, services
from kpis.models import (
    Alert,
    HealthSnapshot,
    Kpi,
    KpiTemplate,
    KpiVersion,
    Measurement,
    MeasurementRevision,
    threshold_problems,
)
from kpis.snapshots import recompute
from partnerships.models import Stage
from partnerships.stages import missing_for
from tests.factories import make_objective, make_partnership

from .conftest import make_kpi, measure, months


def _fields(objective, **overrides):
    fields = {
        "objective": objective,
        "name": "Joint revenue",
        "unit": "currency",
        "direction": "higher",
        "target": Decimal("100"),
        "warning": Decimal("90"),
        "critical": Decimal("80"),
        "frequency": "monthly",
        "aggregation": "sum",
    }
    fields.update(overrides)
    return fields


@pytest.mark.parametrize(
    ("direction", "target", "warning", "critical", "field", "message"),
    [
        ("higher", 100, 110, 80, "warning", "cannot be above the target"),
        ("higher", 100, 90, 95, "critical", "cannot be above the warning threshold"),
        ("lower", 5, 4, 12, "warning", "cannot be below the target"),
        ("lower", 5, 8, 6, "critical", "cannot be below the warning threshold"),
    ],
)
def test_thresholds_contradicting_the_direction_are_refused(
    partnership, coo, direction, target, warning, critical, field, message
):
    objective = make_objective(partnership)
    with pytest.raises(ValidationError) as refused:
        services.kpi_create(
            partnership=partnership,
            by=coo,
            **_fields(
                objective,
                direction=direction,
                target=Decimal(target),
                warning=Decimal(warning),
                critical=Decimal(critical),
            ),
        )
    assert message in " ".join(refused.value.message_dict[field])
    assert not Kpi.objects.exists()


def test_thresholds_may_coincide_and_the_database_checks_them_too(partnership, coo):
    assert threshold_problems("higher", 100, 100, 100) == {}
    assert threshold_problems("lower", 5, 5, 5) == {}
    kpi = make_kpi(partnership)
    with pytest.raises(IntegrityError), transaction.atomic():
        Kpi.objects.filter(pk=kpi.pk).update(warning=Decimal("150"))


def test_units_are_checked(partnership, coo):
    objective = make_objective(partnership)
    with pytest.raises(ValidationError) as refused:
        services.kpi_create(
            partnership=partnership,
            by=coo,
            **_fields(objective, unit="percent", target=Decimal("120")),
        )
    assert "between 0 and 100" in str(refused.value)


def test_objective_must_belong_to_the_partnership(partnership, coo):
    other = make_objective(make_partnership())
    with pytest.raises(ValidationError, match="objective of this partnership"):
        services.kpi_create(partnership=partnership, by=coo, **_fields(other))


def test_definitions_are_versioned_with_who_changed_what(partnership, coo, manager):
    objective = make_objective(partnership)
    kpi = services.kpi_create(partnership=partnership, by=coo, **_fields(objective))
    assert services.kpi_update(kpi=kpi, changes={"name": "Joint revenue"}, by=manager) is None
    version = services.kpi_update(
        kpi=kpi,
        changes={"target": Decimal("120"), "warning": Decimal("100")},
        by=manager,
        today=date(2024, 5, 17),
    )
    assert version.number == 2 and kpi.version == 2
    assert version.effective_from == date(2024, 5, 1)
    assert version.changed_by == manager
    assert [c[0] for c in version.changes] == ["Target", "Warning"]
    assert version.changes[0][1:] == ["100.000000", "120"]
    first = KpiVersion.objects.get(kpi=kpi, number=1)
    assert first.effective_from is None and first.target == Decimal("100")


def test_frequency_may_only_become_coarser_once_there_are_values(partnership, coo):
    kpi = make_kpi(partnership)
    measure(kpi, date(2024, 1, 1), 100)
    with pytest.raises(ValidationError, match="only move to a longer period"):
        services.kpi_update(kpi=kpi, changes={"frequency": "weekly"}, by=coo)
    assert services.kpi_update(kpi=kpi, changes={"frequency": "quarterly"}, by=coo)


def test_a_second_value_for_a_period_is_a_correction_with_history(partnership, manager, coo):
    kpi = make_kpi(partnership, unit="currency")
    m, outcome = services.measurement_record(
        kpi=kpi, period=date(2024, 1, 1), value="95", note="first", by=manager
    )
    assert outcome == "created" and m.value == Decimal("95")
    _, outcome = services.measurement_record(kpi=kpi, period=date(2024, 1, 1), value="95", by=coo)
    assert outcome == "unchanged"
    m, outcome = services.measurement_record(kpi=kpi, period=date(2024, 1, 1), value="97,5", by=coo)
    assert outcome == "corrected" and m.value == Decimal("97.5") and m.note == "first"
    (revision,) = MeasurementRevision.objects.filter(measurement=m)
    assert revision.value == Decimal("95")
    assert revision.recorded_by == manager and revision.replaced_by == coo
    assert Measurement.objects.filter(kpi=kpi).count() == 1


@pytest.mark.parametrize(
    ("period", "value", "field", "message"),
    [
        (date(2024, 1, 15), "5", "period", "does not start a month"),
        (date(2999, 1, 1), "5", "period", "has not started yet"),
        (date(1999, 1, 1), "5", "period", "before 2000"),
        (date(2024, 1, 1), "NaN", "value", None),
        (date(2024, 1, 1), "inf", "value", None),
        (date(2024, 1, 1), "-1", "value", "whole number of zero or more"),
        (date(2024, 1, 1), "2.5", "value", "whole number"),
        (date(2024, 1, 1), "1.5k", None, "write the whole number (1.5k as 1500)"),
        (date(2024, 1, 1), "12 apples", None, "is not a number"),
        (date(2024, 1, 1), "", None, "Enter a value"),
    ],
)
def test_measurements_are_validated(partnership, manager, period, value, field, message):
    kpi = make_kpi(partnership)  # a count
    with pytest.raises(ValidationError) as refused:
        services.measurement_record(kpi=kpi, period=period, value=value, by=manager)
    text = str(refused.value)
    if field:
        assert field in refused.value.message_dict
    if message:
        assert message in text
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("mark", "typed", "read"),
    [
        (".", "250,000", Decimal("250000")),
        (".", "250 000", Decimal("250000")),
        (".", "1,234.5", Decimal("1234.5")),
        (",", "250.000", Decimal("250000")),
        (",", "1.234,5", Decimal("1234.5")),
        (",", "12,5", Decimal("12.5")),
    ],
)
def test_typed_numbers_are_read_with_the_company_decimal_mark(settings, mark, typed, read):
    settings.DECIMAL_MARK = mark
    assert services.read_value(typed) == read


def test_non_finite_decimals_are_refused(partnership, manager):
    kpi = make_kpi(partnership)
    for raw in (Decimal("NaN"), Decimal("Infinity"), float("nan"), float("-inf")):
        with pytest.raises(ValidationError):
            services.measurement_record(kpi=kpi, period=date(2024, 1, 1), value=raw, by=manager)


def test_inactive_kpis_take_no_values(partnership, manager):
    kpi = make_kpi(partnership, is_active=False)
    with pytest.raises(ValidationError, match="inactive"):
        services.measurement_record(kpi=kpi, period=date(2024, 1, 1), value="3", by=manager)


def test_gate_into_active_needs_a_kpi_for_an_objective(partnership):
    partnership.stage = Stage.NEGOTIATION
    partnership.save()
    assert "Define at least one KPI for an objective." in missing_for(partnership, Stage.ACTIVE)
    kpi = make_kpi(partnership, is_active=False)
    assert "Define at least one KPI for an objective." in missing_for(partnership, Stage.ACTIVE)
    Kpi.objects.filter(pk=kpi.pk).update(is_active=True)
    assert "Define at least one KPI for an objective." not in missing_for(partnership, Stage.ACTIVE)


@pytest.mark.django_db
def test_the_kpi_library_has_common_partnership_kpis():
    names = set(KpiTemplate.objects.values_list("name", flat=True))
    assert {
        "Joint revenue",
        "Pipeline sourced",
        "On-time delivery rate",
        "Integration milestones hit",
        "NPS of joint customers",
        "Support tickets escalated",
    } <= names
    for template in KpiTemplate.objects.all():
        assert (
            threshold_problems(
                template.direction, template.target, template.warning, template.critical
            )
            == {}
        )


# Health ------------------------------------------------------------------------------------


def test_health_formula():
    perfect = health.health_score(on_track=3)
    assert perfect["score"] == 100 and perfect["band"] == "green"
    mixed = health.health_score(
        on_track=2,
        at_risk=1,
        off_track=1,
        no_data=1,
        overdue_corrective_actions=1,
        governance={
            "overdue_actions": 1,
            "max_risk_score": 10,
            "open_risks": 2,
            "dd_required_open": 1,
        },
    )
    # 50 * (0.5 + 1) / 4 = 18.75, +5 missing, +5 corrective, +3 governance,
    # +30 * (10 / 25)² = 4.8 risk, +3 DD
    assert mixed["score"] == round(100 - 18.75 - 5 - 5 - 3 - 4.8 - 3)
    assert mixed["band"] == "amber"
    points = {c["key"]: c["points"] for c in mixed["components"]}
    assert points == {
        "kpis": 18.8,
        "missing": 5,
        "corrective": 5,
        "governance": 3,
        "risks": 4.8,
        "dd": 3,
        "integration": 0,
    }
    worst = health.health_score(
        off_track=2,
        no_data=5,
        overdue_corrective_actions=9,
        governance={"overdue_actions": 9, "max_risk_score": 25, "dd_required_open": 9},
    )
    assert worst["score"] == 0 and worst["band"] == "red"
    assert health.health_score(kpis_expected=True)["score"] == 75
    assert health.health_score(kpis_expected=False)["score"] == 100
    assert health.band_for(75) == "green"
    assert health.band_for(74) == "amber"
    assert health.band_for(50) == "amber"
    assert health.band_for(49) == "red"


def test_health_is_kept_per_month(partnership):
    partnership.stage = Stage.ACTIVE
    partnership.save()
    kpi = make_kpi(partnership)
    for day, value in months(2024, 1, [100, 60]):
        measure(kpi, day, value)
    recompute([kpi.pk], today=date(2024, 3, 5))
    snapshot = HealthSnapshot.objects.get(partnership=partnership)
    assert snapshot.period == date(2024, 3, 1)
    assert snapshot.score == 50 and snapshot.band == "amber"
    recompute([kpi.pk], today=date(2024, 3, 20))
    assert HealthSnapshot.objects.filter(partnership=partnership).count() == 1
    health.backfill_health([partnership.pk], months=2, today=date(2024, 3, 20))
    by_month = dict(
        HealthSnapshot.objects.filter(partnership=partnership).values_list("period", "score")
    )
    # As of the end of January its value was in; February's miss shows from February on.
    assert by_month == {date(2024, 1, 1): 100, date(2024, 2, 1): 50, date(2024, 3, 1): 50}


@pytest.mark.django_db
def test_live_health_reads_everything_in_one_query_and_agrees_with_a_rebuild(
    frozen, django_assert_num_queries
):
    """Live scores read stages, KPI statuses and the other inputs in one query and write in
    one; they equal the scores rebuilt from dates for the same day (the backfill path)."""
    ids = []
    for stage, values in [
        (Stage.ACTIVE, [100, 85, 60]),
        (Stage.ACTIVE, [95]),
        (Stage.PROSPECT, []),
        (Stage.RENEWAL, [70, 70]),
    ]:
        p = make_partnership(stage=stage)
        for value in values:
            measure(make_kpi(p), date(2024, 2, 1), value)
        retired = make_kpi(p, is_active=False)
        measure(retired, date(2024, 2, 1), 10)  # an inactive KPI does not count
        ids.append(p.pk)
    ended = make_partnership(stage=Stage.ENDED)
    ids.append(ended.pk)
    with frozen(datetime(2024, 3, 5, 9)):
        recompute(partnership_ids=ids)
        with django_assert_num_queries(2):
            live = {h.partnership_id: (h.score, h.inputs) for h in health.compute_health(ids)}
        rebuilt = {
            h.partnership_id: (h.score, h.inputs) for h in health.compute_health(ids, live=False)
        }
    assert ended.pk not in live
    assert live == rebuilt
    assert [live[pid][0] for pid in ids[:4]] == [75, 100, 100, 50]


def test_partnership_kpi_summary_runs_constant_queries(django_assert_num_queries, coo):
    def build(n):
        ids = []
        for _ in range(n):
            p = make_partnership(stage=Stage.ACTIVE)
            good, bad = make_kpi(p), make_kpi(p)
            make_kpi(p)  # never measured: pending
            measure(good, date(2024, 1, 1), 100)
            measure(bad, date(2024, 1, 1), 50)
            recompute([good.pk, bad.pk], today=date(2024, 2, 2))
            ids.append(p.pk)
        return ids

    small, large = build(2), build(12)
    with django_assert_num_queries(4):
        summary = selectors.partnership_kpi_summary(small)
    with django_assert_num_queries(4):
        selectors.partnership_kpi_summary(large)
    entry = summary[small[0]]
    assert (entry["kpis"], entry["on_track"], entry["off_track"], entry["pending"]) == (3, 1, 1, 1)
    assert entry["open_alerts"] == {"at_risk": 0, "off_track": 1, "total": 1}
    assert entry["unacknowledged_alerts"] == 1
    assert entry["health"]["band"] in ("green", "amber", "red")
    assert entry["health_trend"] == [entry["health"]["score"]]
    assert selectors.partnership_kpi_summary([]) == {}
    assert Alert.objects.count() == 14


def test_demo_seed_is_idempotent(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    counts = (
        Kpi.objects.count(),
        Measurement.objects.count(),
        Alert.objects.count(),
        MeasurementRevision.objects.count(),
    )
    assert counts[0] >= 14 and counts[1] > 14 * 17
    states = set(Alert.objects.values_list("state", flat=True))
    assert states == {"open", "acknowledged", "resolved"}
    assert Alert.objects.filter(escalated_at__isnull=False, resolved_at__isnull=True).exists()
    assert HealthSnapshot.objects.values("period").distinct().count() >= 18
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        Kpi.objects.count(),
        Measurement.objects.count(),
        Alert.objects.count(),
        MeasurementRevision.objects.count(),
    ) == counts
