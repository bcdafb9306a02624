"""The KPI columns, health filter, tiles and health source of the portfolio; bounded queries."""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import Alert, HealthSnapshot, Kpi, Snapshot
from partnerships import portfolio
from partnerships.models import Objective, Partnership
from tests.factories import make_goal, make_partner, make_partnership
from tests.partnerships.test_portfolio_cells import cells

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)


def _bulk_portfolio(owner, n, *, kpis_each=2):
    """``n`` partnerships with KPIs, latest snapshots, health history and an alert, cheaply."""
    partner = make_partner(name=f"Bulk partner {next(_seq)}")
    start = next(_seq) * 10_000
    rows = Partnership.objects.bulk_create(
        Partnership(
            title=f"Bulk {start + i:06d}",
            partner=partner,
            owner=owner,
            stage="active",
            type=Partnership.Type.TECHNOLOGY,
        )
        for i in range(n)
    )
    goal = make_goal()
    objectives = Objective.objects.bulk_create(
        Objective(partnership=p, goal=goal, title="Grow", side="ours") for p in rows
    )
    kpis = Kpi.objects.bulk_create(
        Kpi(
            partnership=p,
            objective=o,
            name=f"KPI {k}",
            unit="count",
            direction="higher",
            target=Decimal(100),
            warning=Decimal(90),
            critical=Decimal(80),
            frequency="monthly",
        )
        for p, o in zip(rows, objectives, strict=True)
        for k in range(kpis_each)
    )
    statuses = ["on_track", "at_risk", "off_track"]
    Snapshot.objects.bulk_create(
        Snapshot(
            kpi=k,
            partnership_id=k.partnership_id,
            period=date(2026, 9, 1),
            period_end=date(2026, 9, 30),
            frequency="monthly",
            is_latest=True,
            value=Decimal(85),
            status=statuses[i % 3],
            kpi_version=1,
            direction="higher",
            target=Decimal(100),
            warning=Decimal(90),
            critical=Decimal(80),
        )
        for i, k in enumerate(kpis)
    )
    bands = [("green", 82), ("amber", 61), ("red", 35)]
    HealthSnapshot.objects.bulk_create(
        HealthSnapshot(
            partnership=p, period=date(2026, m, 1), score=bands[i % 3][1] + m, band=bands[i % 3][0]
        )
        for i, p in enumerate(rows)
        for m in (7, 8, 9)
    )
    Alert.objects.bulk_create(
        Alert(
            kpi=k,
            partnership_id=k.partnership_id,
            severity="off_track",
            peak_severity="off_track",
            opened_period=date(2026, 9, 1),
        )
        for k in kpis[::kpis_each]
    )
    return rows


@pytest.mark.parametrize("n", [10, 1000])
def test_portfolio_page_runs_bounded_queries(client, coo, n, django_assert_max_num_queries):
    _bulk_portfolio(coo, n)
    client.force_login(coo)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("partnerships:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Health" in html and "Open alerts" in html
    # Fifty partnerships a screen, and a way on to the rest.
    assert response.context["page"].paginator.per_page == 50
    assert len(response.context["page"].object_list) == min(n, 50)
    if n > 50:
        assert f"1–50 of {n}" in html and "page=2" in html
        last = client.get(reverse("partnerships:list"), {"page": n // 50})
        assert len(last.context["page"].object_list) == 50
    with django_assert_max_num_queries(15):
        response = client.get(reverse("partnerships:list"), {"health": "red", "sort": "-health"})
    assert response.status_code == 200


def test_health_filter_sort_and_tiles(client, coo):
    rows = _bulk_portfolio(coo, 6)
    unscored = make_partnership(title="Zz unscored", owner=coo)
    client.force_login(coo)
    response = client.get(reverse("partnerships:list"), {"health": "red"})
    page = response.context["page"]
    assert {p.title for p in page.object_list} == {rows[2].title, rows[5].title}
    response = client.get(reverse("partnerships:list"), {"health": "none"})
    assert [p.title for p in response.context["page"].object_list] == [unscored.title]
    response = client.get(reverse("partnerships:list"), {"sort": "-health"})
    scores = [p.health_score for p in response.context["page"].object_list]
    assert scores[:6] == sorted(scores[:6], reverse=True) and scores[-1] is None
    tiles = {t.label: t for group in response.context["tile_groups"] for t in group[1]}
    assert tiles["Unhealthy"].value == 2 and tiles["Not scored yet"].value == 1
    assert tiles["Off track"].value == 6
    assert tiles["Off track"].url == reverse("kpis:alert_inbox") + "?severity=off_track"


def test_health_column_cells_and_export(client, coo):
    _bulk_portfolio(coo, 3)
    client.force_login(coo)
    html = client.get(reverse("partnerships:list")).content.decode()
    assert 'class="sparkline"' in html and "kpi-counts" in html
    response = client.get(reverse("partnerships:export", args=["csv"]), {"health": "green"})
    text = response.content.decode()
    header = text.splitlines()[0]
    assert "Health score" in header and "Open alerts" in header
    assert "1 (off track)" in text
    assert "2 on track" not in text


def test_kpi_cells(coo):
    rows = _bulk_portfolio(coo, 3, kpis_each=3)
    Alert.objects.filter(partnership=rows[1]).update(severity="at_risk")
    HealthSnapshot.objects.filter(partnership=rows[2]).exclude(period=date(2026, 9, 1)).delete()
    bare = make_partnership(title="Zz no KPIs", owner=coo)
    keys = ("health", "kpis", "alerts")
    inbox = reverse("kpis:alert_inbox")
    first = cells(rows[0], keys)
    assert first["health"].startswith(
        '<span class="health-cell"><span class="badge badge-green" title="Healthy">91</span>'
        '<svg class="sparkline"'
    )
    assert first["kpis"] == (
        '<span class="kpi-counts">'
        '<span class="count count-green" title="On track">1'
        '<span class="sr-only"> on track,</span></span>'
        '<span class="count count-amber" title="At risk">1'
        '<span class="sr-only"> at risk,</span></span>'
        '<span class="count count-red" title="Off track">1'
        '<span class="sr-only"> off track</span></span></span>'
    )
    assert first["alerts"] == (
        f'<a href="{inbox}?partnership={rows[0].pk}" class="badge badge-red">1 · off track</a>'
    )
    assert cells(rows[1], keys)["alerts"] == (
        f'<a href="{inbox}?partnership={rows[1].pk}" class="badge badge-amber">1 · at risk</a>'
    )
    assert cells(rows[2], keys)["health"] == (
        '<span class="health-cell"><span class="badge badge-red" title="Unhealthy">44</span></span>'
    )
    assert cells(bare, keys) == {
        "health": '<span class="muted">not scored</span>',
        "kpis": '<span class="muted">no KPIs</span>',
        "alerts": '<span class="muted">none</span>',
    }


def test_health_source_feeds_the_alignment_page(coo):
    rows = _bulk_portfolio(coo, 3)
    health = portfolio.health_for([p.pk for p in rows])
    assert health[rows[0].pk].band == "green" and health[rows[0].pk].score == 91
    assert health[rows[2].pk].label == "Unhealthy"


def test_manager_sees_only_team_partnerships_in_tiles(client, manager, coo, partnership):
    _bulk_portfolio(coo, 3)
    client.force_login(manager)
    response = client.get(reverse("partnerships:list"))
    tiles = {t.label: t for group in response.context["tile_groups"] for t in group[1]}
    assert tiles["Off track"].value == 0
    # The page lists the manager's own partnership, with nothing scored.
    assert [row.pk for row in response.context["page"]] == [partnership.pk]


def test_alignment_page_flags_goals_without_a_healthy_partnership(client, coo):
    rows = _bulk_portfolio(coo, 3)  # one goal; partnerships green, amber, red
    red_only = make_goal(title="Enter Japan")
    Objective.objects.create(partnership=rows[2], goal=red_only, title="Japan launch")
    client.force_login(coo)
    html = client.get(reverse("partnerships:goals")).text
    assert "Unhealthy" in html and "Healthy" in html
    assert html.count('badge-red">no healthy partnership') == 1
