"""The portfolio's default order: the partnerships that need attention first, said on the page."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kpis.models import Alert, HealthSnapshot
from partnerships import portfolio
from partnerships.models import Stage
from tests.factories import make_partnership
from tests.governance.conftest import make_action
from tests.kpis.conftest import make_kpi


def health(partnership, score, band):
    HealthSnapshot.objects.create(
        partnership=partnership, period=timezone.localdate().replace(day=1), score=score, band=band
    )


def open_alerts(partnership, n):
    for _ in range(n):
        kpi = make_kpi(partnership)
        Alert.objects.create(
            kpi=kpi,
            partnership=partnership,
            severity="at_risk",
            peak_severity="at_risk",
            opened_period=timezone.localdate().replace(day=1),
        )


@pytest.fixture
def portfolio_rows(db, manager):
    def make(title):
        return make_partnership(title=title, owner=manager, stage=Stage.ACTIVE)

    alpha, bravo, charlie, delta, echo, foxtrot = (
        make(t) for t in ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot")
    )
    health(alpha, 90, "green")
    health(bravo, 36, "red")
    health(charlie, 60, "amber")
    open_alerts(charlie, 2)
    health(delta, 70, "amber")
    make_action(delta, manager, due_date=timezone.localdate() - timedelta(days=3))
    health(foxtrot, 55, "amber")  # amber, nothing open: after Delta by its overdue action
    # Echo has no health yet: last.
    return [bravo, charlie, delta, foxtrot, alpha, echo]


def titles(html):
    return re.findall(r'<td class="title-cell[^"]*"><a href="[^"]+">([^<]+)</a>', html)


def test_default_order_puts_those_needing_attention_first(client, manager, portfolio_rows):
    client.force_login(manager)
    html = client.get(reverse("partnerships:list")).content.decode()
    assert titles(html) == [p.title for p in portfolio_rows]
    assert "Needs attention first: unhealthy first, then the most open alerts" in html
    assert "Sort by title" in html


def test_the_order_can_be_switched_to_titles_and_back(client, manager, portfolio_rows):
    client.force_login(manager)
    html = client.get(reverse("partnerships:list"), {"sort": "title"}).content.decode()
    assert titles(html) == sorted(p.title for p in portfolio_rows)
    assert "Sorted by partnership." in html
    assert "Put those needing attention first" in html
    # An unknown sort falls back to the default order, not to an error.
    html = client.get(reverse("partnerships:list"), {"sort": "nonsense"}).content.decode()
    assert titles(html) == [p.title for p in portfolio_rows]


def test_the_statement_follows_the_criteria_in_their_order():
    statement = portfolio.attention_statement()
    assert statement.startswith("Needs attention first: unhealthy first, then the most open")
    assert statement.index("overdue actions") < statement.index("overdue corrective actions")
    assert statement.endswith("; then by title.")


def test_exports_follow_the_same_order(client, manager, portfolio_rows):
    client.force_login(manager)
    response = client.get(reverse("partnerships:export", args=["csv"]))
    lines = b"".join(response.streaming_content if response.streaming else [response.content])
    first_cells = [line.split(",")[0] for line in lines.decode().splitlines()[1:]]
    assert first_cells == [p.title for p in portfolio_rows]
