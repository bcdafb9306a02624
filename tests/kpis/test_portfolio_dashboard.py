"""The partnership dashboard: trends panel, KPI history export, timeline source, layout; bounded
queries whatever the number of KPIs."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kpis.models import Alert, Kpi, Measurement, Snapshot
from partnerships.models import Objective
from partnerships.panels import panels
from tests.factories import make_goal, make_objective

pytestmark = pytest.mark.django_db


def _kpis(partnership, n, *, periods=6):
    """``n`` KPIs with ``periods`` monthly snapshots each, a measurement and an alert, cheaply."""
    goal = make_goal()
    objective = Objective.objects.create(partnership=partnership, goal=goal, title="Grow")
    kpis = Kpi.objects.bulk_create(
        Kpi(
            partnership=partnership,
            objective=objective,
            name=f"KPI {i:02d}",
            unit="count",
            direction="higher",
            target=Decimal(100),
            warning=Decimal(90),
            critical=Decimal(80),
            frequency="monthly",
        )
        for i in range(n)
    )
    Snapshot.objects.bulk_create(
        Snapshot(
            kpi=k,
            partnership=partnership,
            period=date(2026, m, 1),
            period_end=date(2026, m, 28),
            frequency="monthly",
            is_latest=m == periods,
            value=Decimal(70 + 5 * m),
            status="on_track" if m > 4 else "off_track",
            kpi_version=1,
            direction="higher",
            target=Decimal(100),
            warning=Decimal(90),
            critical=Decimal(80),
        )
        for k in kpis
        for m in range(1, periods + 1)
    )
    Measurement.objects.bulk_create(
        Measurement(kpi=k, period=date(2026, periods, 1), grain="monthly", value=Decimal(95))
        for k in kpis
    )
    Alert.objects.bulk_create(
        Alert(
            kpi=k,
            partnership=partnership,
            severity="off_track",
            peak_severity="off_track",
            opened_period=date(2026, 1, 1),
        )
        for k in kpis
    )
    return kpis


@pytest.mark.parametrize("n", [2, 40])
def test_dashboard_and_every_panel_run_bounded_queries(
    client, coo, partnership, n, django_assert_max_num_queries
):
    _kpis(partnership, n)
    client.force_login(coo)
    with django_assert_max_num_queries(15):
        assert client.get(partnership.get_absolute_url()).status_code == 200
    for panel in panels():
        with django_assert_max_num_queries(15, info=panel.key):
            response = client.get(panel.url(partnership), headers={"HX-Request": "true"})
        assert response.status_code == 200, panel.key


def test_trends_panel_draws_a_chart_per_kpi_with_thresholds(client, manager, partnership):
    _kpis(partnership, 2)
    client.force_login(manager)
    url = reverse("kpis:partnership_trends", args=[partnership.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert html.count("data-chart") == 2
    assert '"tone": "warning"' in html and '"tone": "critical"' in html
    assert "<caption>KPI 00 by period</caption>" in html  # the table fallback
    page = client.get(url).content.decode()  # without JavaScript: a whole page
    assert "<!doctype html>" in page and "KPI trends" in page


def test_trends_panel_empty_state(client, manager, partnership):
    client.force_login(manager)
    url = reverse("kpis:partnership_trends", args=[partnership.pk])
    assert "No trends yet" in client.get(url, headers={"HX-Request": "true"}).content.decode()


def test_kpi_history_export_csv_and_xlsx(client, viewer, partnership):
    kpis = _kpis(partnership, 2, periods=3)
    kpis[0].name = "=cmd()"
    kpis[0].save()
    client.force_login(viewer)
    response = client.get(reverse("kpis:kpi_history_export", args=[partnership.pk, "csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["KPI", "Objective"] and len(rows) == 1 + 2 * 3
    assert rows[1][0] == "'=cmd()"  # neutralised formula
    response = client.get(reverse("kpis:kpi_history_export", args=[partnership.pk, "xlsx"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_kpi_history_export_permissions(client, other_manager, coo, partnership):
    url = reverse("kpis:kpi_history_export", args=[partnership.pk, "csv"])
    client.force_login(other_manager)
    assert client.get(url).status_code == 404
    client.force_login(coo)
    assert client.get(url).status_code == 200
    trends = reverse("kpis:partnership_trends", args=[partnership.pk])
    client.force_login(other_manager)
    assert client.get(trends).status_code == 404


def test_timeline_shows_measurements_and_alerts(client, manager, partnership):
    _kpis(partnership, 1)
    Alert.objects.update(resolved_at="2026-07-01T10:00Z", state="resolved")
    client.force_login(manager)
    url = reverse("partnerships:timeline", args=[partnership.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Measurement" in html and "KPI 00: 95 for Jun 2026" in html
    assert "KPI 00 off track" in html and "KPI 00 back on track" in html


def test_dashboard_layout_and_mutual_benefit(client, viewer, partnership):
    # Progress set by hand (nothing measures these objectives), so it is what is shown.
    reason = "Milestones agreed at the steering committee"
    for side, progress in (("ours", 60), ("partner", 20)):
        make_objective(
            partnership,
            side=side,
            progress=progress,
            status_set_by_hand=True,
            status_reason=reason,
        )
    make_objective(partnership, side="shared", progress=90)  # unmeasured: not averaged in
    client.force_login(viewer)
    response = client.get(partnership.get_absolute_url())
    html = response.content.decode()
    assert 'class="dashboard"' in html and '<aside class="side">' in html
    assert [p.key for p, _ in response.context["side_panels"]] == ["health"]
    mutual = {s["label"]: s["progress"] for s in response.context["mutual"]}
    assert mutual == {"For us": 60, "For the partner": 20}


HX = {"HX-Request": "true"}


def test_inline_acknowledge_updates_the_panel(client, coo, viewer, other_manager, partnership):
    _kpis(partnership, 1)
    alert = Alert.objects.get()
    url = reverse("kpis:panel_acknowledge", args=[alert.pk])
    client.force_login(other_manager)
    assert client.post(url, {"comment": "x"}, headers=HX).status_code == 404
    client.force_login(viewer)
    assert client.post(url, {"comment": "x"}, headers=HX).status_code == 403
    html = client.get(reverse("kpis:partnership_alerts", args=[partnership.pk]), headers=HX)
    assert "Acknowledge alert" not in html.content.decode()
    assert "+ Corrective action" not in html.content.decode()
    client.force_login(coo)
    response = client.post(url, {"comment": "  "}, headers=HX)
    assert response.status_code == 200 and "Say what is being done about it." in response.text
    response = client.post(url, {"comment": "Calling their VP on Monday"}, headers=HX)
    assert 'id="panel-alerts-body"' in response.text
    assert "Calling their VP on Monday" in response.text
    alert.refresh_from_db()
    assert alert.state == "acknowledged"


def test_inline_corrective_action_updates_the_panel(client, manager, viewer, partnership):
    _kpis(partnership, 1)
    alert = Alert.objects.get()
    url = reverse("kpis:panel_action_create", args=[alert.pk])
    client.force_login(viewer)
    assert client.post(url, {}, headers=HX).status_code == 403
    client.force_login(manager)
    data = {"description": "Weekly pipeline call", "owner": manager.pk, "checkpoints": "30"}
    response = client.post(url, {**data, "due_date": "2000-01-01"}, headers=HX)
    assert response.status_code == 200 and "cannot be in the past" in response.text
    assert "Weekly pipeline call" in response.text  # what was typed is kept
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = client.post(url, {**data, "due_date": due}, headers=HX)
    assert response.status_code == 200 and "form-errors" not in response.text
    assert alert.actions.get().description == "Weekly pipeline call"


def test_header_shows_health_and_why(client, viewer, partnership):
    from kpis.models import HealthSnapshot

    client.force_login(viewer)
    assert "not scored yet" in client.get(partnership.get_absolute_url()).text
    HealthSnapshot.objects.create(
        partnership=partnership,
        period=date(2026, 10, 1),
        score=36,
        band="red",
        components=[
            {"key": "kpis", "label": "KPI results", "points": 50.0, "max": 50, "detail": ""},
            {"key": "risks", "label": "Open risks", "points": 6.0, "max": 10, "detail": ""},
            {"key": "dd", "label": "Due diligence", "points": 0, "max": 6, "detail": ""},
        ],
    )
    html = client.get(partnership.get_absolute_url()).text
    assert "36 · Unhealthy" in html
    assert "points off: KPI results −50 · Open risks −6" in html
