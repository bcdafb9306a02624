"""An objective's status and progress follow the KPIs that measure it, unless set by hand with
a reason that is shown."""

import pytest
from django.urls import reverse

from kpis import periods
from kpis.objective_readings import kpi_progress, objective_status
from kpis.snapshots import recompute
from partnerships.models import Objective
from partnerships.objectives import show
from tests.factories import make_objective
from tests.kpis.conftest import make_kpi, measure

S = Objective.Status


def last_closed_month():
    return periods.recent_periods("monthly", 2)[0]


@pytest.mark.parametrize(
    ("statuses", "progresses", "expected"),
    [
        (["on_track", "off_track"], [100, 40], S.OFF_TRACK),
        (["on_track", "at_risk"], [100, 85], S.AT_RISK),
        (["at_risk", "off_track"], [85, 40], S.OFF_TRACK),
        (["on_track", "on_track"], [100, 100], S.ACHIEVED),
        (["on_track", "on_track"], [100, 99], S.ON_TRACK),
        (["on_track"], [95], S.ON_TRACK),
    ],
)
def test_objective_status_from_its_kpis(statuses, progresses, expected):
    assert objective_status(statuses, progresses) == expected


@pytest.mark.parametrize(
    ("attainment", "progress"),
    [(None, 0), (0.2, 20), (0.996, 100), (1.0, 100), (1.7, 100), (-0.5, 0)],
)
def test_a_kpi_counts_its_attainment_as_progress_capped(attainment, progress):
    assert kpi_progress(attainment) == progress


@pytest.fixture
def measured(partnership):
    """An objective typed 'Achieved' at 20% by hand, measured by two KPIs: one on target, one
    off track (40 of 100)."""
    objective = make_objective(partnership, status=S.ACHIEVED, progress=20)
    month = last_closed_month()
    on = make_kpi(partnership, objective=objective, name="Deals")
    off = make_kpi(partnership, objective=objective, name="Leads")
    measure(on, month, 100)
    measure(off, month, 40)
    recompute([on.pk, off.pk])
    return objective


def test_the_kpis_decide_not_what_was_typed(measured):
    (objective,) = show(Objective.objects.filter(pk=measured.pk))
    assert objective.shown_status == S.OFF_TRACK
    assert objective.shown_progress == 70  # (100 + 40) / 2
    assert (objective.status_source, objective.kpi_count) == ("kpis", 2)


def test_the_page_says_where_the_status_comes_from(client, manager, measured):
    client.force_login(manager)
    page = client.get(measured.partnership.get_absolute_url()).text
    assert 'Off track</span><span class="sub">from 2 KPIs</span>' in page
    assert "<small>70%</small>" in page
    assert (
        "Achieved"
        not in page[
            page.index('id="objectives"') : page.index("</table>", page.index('id="objectives"'))
        ]
    )


def test_set_by_hand_needs_a_reason_which_is_shown(client, manager, measured):
    client.force_login(manager)
    url = reverse("partnerships:objective_edit", args=[measured.partnership.pk, measured.pk])
    data = {
        "title": measured.title,
        "goal": measured.goal_id,
        "side": measured.side,
        "status_set_by_hand": "on",
        "status": S.ACHIEVED,
        "progress": 100,
        "status_reason": "done",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Say why the status is set by hand" in response.text
    measured.refresh_from_db()
    assert not measured.status_set_by_hand

    data["status_reason"] = "Signed off at the steering committee in March"
    assert client.post(url, data).status_code == 302
    page = client.get(measured.partnership.get_absolute_url()).text
    assert "set by hand: “Signed off at the steering committee in March”" in page
    assert "<small>100%</small>" in page


def test_an_objective_nothing_measures_says_so(client, manager, partnership):
    make_objective(partnership, status=S.ACHIEVED, progress=20)
    client.force_login(manager)
    page = client.get(partnership.get_absolute_url()).text
    assert "no KPI result yet" in page
    assert "<small>20%</small>" not in page
