"""Governance's contribution to the portfolio table: columns, sort, filter, tiles, export."""

import io
from datetime import date, timedelta

import pandas as pd
from django.urls import reverse

from governance.models import ActionItem, Risk
from tests.factories import make_partnership
from tests.governance.conftest import conclude_all, start_checklist


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
        due_date=date.today() - timedelta(days=3),
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
                partnership=p, title="a", owner=manager, due_date=date.today() - timedelta(days=1)
            )
        client.force_login(coo)
        with django_assert_max_num_queries(15):
            assert client.get(reverse("partnerships:list")).status_code == 200
