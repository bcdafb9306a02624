""" "My work": what is due from the user across partnerships, filtered, with Done and Undo."""

from datetime import timedelta

import pytest
from django.urls import reverse

from governance.models import ActionItem
from kpis import periods
from kpis.models import Alert, CorrectiveAction
from kpis.snapshots import recompute
from partnerships.models import Stage
from tests.clock import TODAY, days_from_today
from tests.factories import make_partnership
from tests.kpis.conftest import make_kpi, measure


@pytest.fixture
def work(db, manager, other_manager):
    mine = make_partnership(title="Nordic network", owner=manager, stage=Stage.ACTIVE)
    mine.team.add(manager)
    other = make_partnership(title="Globex deal", owner=other_manager, stage=Stage.ACTIVE)
    late = ActionItem.objects.create(
        partnership=mine,
        title="Send the pricing sheet",
        owner=manager,
        due_date=days_from_today(-3),
    )
    soon = ActionItem.objects.create(
        partnership=mine, title="Book the QBR room", owner=manager, due_date=days_from_today(5)
    )
    ActionItem.objects.create(  # someone else's
        partnership=other, title="Not mine", owner=other_manager, due_date=days_from_today(-1)
    )
    entered = make_kpi(mine, name="Deals won")
    measure(entered, periods.recent_periods("monthly", 2)[0], 5)
    missing = make_kpi(mine, name="Leads passed")
    recompute([entered.pk, missing.pk])
    alert = Alert.objects.create(
        kpi=missing,
        partnership=mine,
        severity="at_risk",
        peak_severity="at_risk",
        opened_period=periods.recent_periods("monthly", 2)[0],
    )
    CorrectiveAction.objects.create(
        alert=alert,
        kpi=missing,
        partnership=mine,
        description="Weekly pipeline review with the partner",
        owner=manager,
        due_date=days_from_today(20),
    )
    return {"late": late, "soon": soon, "mine": mine, "missing": missing}


def rows(html):
    return html.split('<tr id="work-')[1:]


def test_lists_what_is_due_from_me_most_overdue_first(client, manager, work):
    client.force_login(manager)
    html = client.get(reverse("partnerships:my_work")).content.decode()
    found = rows(html)
    assert len(found) == 4
    # The value to enter for last month was due a week after it ended: the most overdue.
    assert "Enter Leads passed for " in found[0]
    assert "Send the pricing sheet" in found[1]
    assert "3\xa0days late" in found[1]
    assert "Book the QBR room" in found[2]
    assert "Enter Leads passed for " in html and "Enter Deals won" not in html
    assert "Weekly pipeline review with the partner" in html
    assert "Not mine" not in html
    assert '<span class="figure">4</span> open' in html
    assert '<span class="figure">2</span> overdue' in html


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({"due": "overdue"}, ["Enter Leads passed for ", "Send the pricing sheet"]),
        (
            {"due": "week"},
            ["Enter Leads passed for ", "Send the pricing sheet", "Book the QBR room"],
        ),
        ({"kind": "kpis.corrective"}, ["Weekly pipeline review with the partner"]),
    ],
)
def test_filters(client, manager, work, query, titles):
    client.force_login(manager)
    html = client.get(reverse("partnerships:my_work"), query).content.decode()
    assert [t for t in titles if t in html] == titles
    assert len(rows(html)) == len(titles)


def test_done_then_undo_in_place_with_the_counts(client, manager, work):
    client.force_login(manager)
    late = work["late"]
    url = reverse("partnerships:my_work_change", args=["governance.actions", late.pk, "done"])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="work-done"' in html and "Undo" in html
    assert 'id="work-counts" data-hx-swap-oob="true"' in html
    assert (
        '<span class="figure">3</span> open' in html
        and "overdue" not in html.split("work-counts")[1]
    )
    late.refresh_from_db()
    assert late.status == "done" and late.completed_at is not None

    undo = reverse("partnerships:my_work_change", args=["governance.actions", late.pk, "undo"])
    html = client.post(undo, HTTP_HX_REQUEST="true").content.decode()
    assert "work-done" not in html and '<span class="figure">4</span> open' in html
    late.refresh_from_db()
    assert late.status == "open" and late.completed_at is None


def test_nobody_completes_what_is_not_theirs(client, other_manager, work, viewer):
    url = reverse(
        "partnerships:my_work_change", args=["governance.actions", work["late"].pk, "done"]
    )
    for user in (other_manager, viewer):
        client.force_login(user)
        assert client.post(url).status_code == 404
    bad = reverse("partnerships:my_work_change", args=["kpis.entry", work["missing"].pk, "done"])
    assert client.post(bad).status_code == 404
    work["late"].refresh_from_db()
    assert work["late"].status == "open"


def test_an_empty_list_says_so(client, viewer):
    client.force_login(viewer)
    html = client.get(reverse("partnerships:my_work")).content.decode()
    assert "Nothing is due from you." in html


def test_queries_do_not_grow_with_the_items(client, manager, work, django_assert_max_num_queries):
    for i in range(10):
        ActionItem.objects.create(
            partnership=work["mine"],
            title=f"Extra {i}",
            owner=manager,
            due_date=TODAY + timedelta(days=i),
        )
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        client.get(reverse("partnerships:my_work"))
