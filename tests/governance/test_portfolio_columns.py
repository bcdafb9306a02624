"""Governance's contribution to the portfolio table: columns, sort, filter, tiles, export."""

import io
from datetime import timedelta

import pandas as pd
from django.urls import reverse
from django.utils import timezone

from governance.models import ActionItem, Risk
from partnerships.portfolio import day
from tests.clock import days_from_today
from tests.factories import make_partnership
from tests.governance.conftest import conclude_all, make_cadence, make_meeting, start_checklist
from tests.partnerships.test_portfolio_cells import cells


def test_columns_sort_filter_and_tiles(client, coo, manager):
    calm = make_partnership(title="Calm")
    risky = make_partnership(title="Risky")
    late = make_partnership(title="Late")
    Risk.objects.create(
        partnership=risky, title="Fraud", category="financial", likelihood=5, impact=4
    )
    Risk.objects.create(
        partnership=calm, title="Minor", category="operational", likelihood=1, impact=2
    )
    ActionItem.objects.create(
        partnership=late,
        title="Send plan",
        owner=manager,
        due_date=days_from_today(-3),
    )
    conclude_all(start_checklist(calm, coo), coo)
    start_checklist(late, coo)
    client.force_login(coo)
    url = reverse("partnerships:list")

    page = client.get(url, {"sort": "-risk"}).text
    assert page.index("Risky") < page.index("Calm") < page.index("Late")
    assert "none open" in page

    page = client.get(url, {"sort": "-dd"}).text
    assert page.index("Calm") < page.index("Late")
    assert "100%" in page and "not started" in page

    page = client.get(url, {"overdue": "actions"}).text
    assert "Late" in page and "Risky" not in page and "Calm" not in page

    page = client.get(url).text
    assert "With overdue actions" in page and 'href="?overdue=actions"' in page

    response = client.get(reverse("partnerships:export", args=["csv"]), {"sort": "-risk"})
    frame = pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig")
    assert list(frame["Partnership"])[:2] == ["Risky", "Calm"]
    assert list(frame["Top open risk score"])[:2] == [20, 2]
    assert frame.loc[frame["Partnership"] == "Calm", "Due diligence %"].item() == 100


def test_portfolio_queries_stay_bounded_with_governance_data(
    client, coo, manager, django_assert_max_num_queries
):
    for rows in (3, 40):
        for i in range(rows):
            p = make_partnership(title=f"Bulk {rows}-{i}")
            Risk.objects.create(partnership=p, title="r", category="legal", likelihood=2, impact=3)
            ActionItem.objects.create(
                partnership=p, title="a", owner=manager, due_date=days_from_today(-1)
            )
        client.force_login(coo)
        with django_assert_max_num_queries(15):
            assert client.get(reverse("partnerships:list")).status_code == 200


def test_governance_cells(coo):
    today = timezone.localdate()
    calm, risky, late, bare = (make_partnership(title=t) for t in ("Calm", "Risky", "Late", "Bare"))
    for p, likelihood, impact in ((calm, 1, 2), (risky, 5, 4), (risky, 2, 3), (late, 3, 3)):
        Risk.objects.create(
            partnership=p, title="r", category="legal", likelihood=likelihood, impact=impact
        )
    conclude_all(start_checklist(calm, coo), coo)
    start_checklist(late, coo, due_date=today - timedelta(days=5))
    make_cadence(calm, "steering", "monthly", start_date=today + timedelta(days=9))
    make_cadence(late, "steering", "monthly", start_date=today - timedelta(days=60))
    make_meeting(late, held_on=today - timedelta(days=40), kind="steering")
    keys = ("dd", "risk", "next_meeting")
    title = '"Highest open risk score (likelihood × impact)"'
    assert cells(calm, keys) == {
        "dd": '<div class="progress" title="100% concluded"><span style="width: 100%"></span>'
        "</div><small>100%</small>",
        "risk": f'<span class="badge badge-green" title={title}>2</span> '
        '<small class="muted">1 open</small>',
        "next_meeting": f"<span>{day(today + timedelta(days=9))}</span>",
    }
    risky_cells = cells(risky, keys)
    assert risky_cells["risk"] == (
        f'<span class="badge badge-red" title={title}>20</span> <small class="muted">2 open</small>'
    )
    late_cells = cells(late, keys)
    assert late_cells["risk"].startswith('<span class="badge badge-amber"')
    assert late_cells["dd"].startswith('<div class="progress" title="0% concluded">')
    assert late_cells["dd"].endswith("overdue</span></small>")
    assert late_cells["next_meeting"].startswith('<span class="text-red">')
    assert cells(bare, keys) == {
        "dd": '<span class="muted">not started</span>',
        "risk": '<span class="muted">none open</span>',
        "next_meeting": '<span class="muted">no cadence</span>',
    }
