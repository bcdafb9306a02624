"""Each KPI's latest reading for the objectives it measures, in SQL and through the ORM."""

from datetime import timedelta

import pytest

from kpis import periods
from kpis.queries.latest_readings import latest_kpi_readings, latest_kpi_readings_reference
from kpis.snapshots import recompute
from tests.factories import make_objective
from tests.kpis.conftest import make_kpi, measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def objectives(partnership):
    """Two objectives: one measured by a KPI with three months of values (the last off track),
    one whose value was never entered and an inactive one; the other by a KPI with a gap in its
    months. A third objective has no KPI."""
    first, second, third = (make_objective(partnership) for _ in range(3))
    months = periods.recent_periods("monthly", 4)[:3]
    steady = make_kpi(partnership, objective=first, name="Steady")
    for month, value in zip(months, (100, 95, 40), strict=True):
        measure(steady, month, value)
    never = make_kpi(partnership, objective=first, name="Never entered")
    dropped = make_kpi(partnership, objective=first, name="Dropped", is_active=False)
    measure(dropped, months[-1], 100)
    gap = make_kpi(partnership, objective=second, name="Gap")
    measure(gap, months[0], 85)
    recompute([steady.pk, never.pk, dropped.pk, gap.pk])
    return [first.pk, second.pk, third.pk], months


@pytest.mark.parametrize("days_back", [0, 40, 70, 200])
def test_latest_readings_in_sql_match_the_reference(objectives, days_back):
    ids, months = objectives
    today = months[-1] + timedelta(days=27) - timedelta(days=days_back)

    in_sql = latest_kpi_readings(ids, today)

    assert in_sql == latest_kpi_readings_reference(ids, today)
    if days_back == 0:
        assert [(objective, status) for objective, status, _ in in_sql] == [
            (ids[0], "off_track"),
            (ids[1], "at_risk"),
        ]


def test_no_objective_reads_nothing():
    assert latest_kpi_readings([], periods.recent_periods("monthly", 1)[0]) == []
