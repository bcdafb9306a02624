"""The history pages: what each shows, filters, pages, the CSV download, and who may see it."""

import csv
import io
from datetime import date, timedelta

import pghistory
import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import Document
from partnerships.models import Agreement, Objective
from tests.factories import make_objective, make_partnership

from .conftest import make_kpi, make_partner_user, measure

PARTNERSHIP_HISTORY = "audit:partnership"


def _history(partnership):
    return reverse(PARTNERSHIP_HISTORY, args=[partnership.pk])


@pytest.fixture
def changes(partnership, manager, coo):
    """An objective changed by the manager on a page, a KPI and a value, and a change to
    another partnership."""
    with pghistory.context(user=manager.pk, source="page"):
        objective = make_objective(partnership, title="Grow revenue")
        Objective.objects.filter(pk=objective.pk).update(progress=55)
    with pghistory.context(user=coo.pk, source="import"):
        kpi = make_kpi(partnership, name="Leads", objective=objective)
        measure(kpi, timezone.localdate().replace(day=1), 12)
    make_objective(make_partnership(title="Elsewhere"), title="Not this one")
    return objective, kpi


def test_the_partnership_history_shows_its_own_changes_and_those_of_what_it_holds(
    client, manager, partnership, changes, django_assert_max_num_queries
):
    client.force_login(manager)
    with django_assert_max_num_queries(15):
        response = client.get(_history(partnership))
    assert response.status_code == 200
    text = response.text
    assert "Grow revenue" in text and "Leads" in text and "Measurement" in text.title()
    assert "Not this one" not in text
    # Before -> after of the changed field, and who made it through what.
    assert "progress:</span> 0 → 55" in text
    assert "Marco Rossi" in text and "Import" in text


def test_filters_by_kind_change_who_through_and_dates(client, coo, manager, partnership, changes):
    client.force_login(coo)
    url = _history(partnership)

    def listed(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return response.context["page"].object_list

    assert {row.label for row in listed(model="kpis.Measurement")} == {"kpis.Measurement"}
    assert [row.action for row in listed(model="partnerships.Objective", action="update")] == [
        "Changed"
    ]
    assert {row.actor for row in listed(actor=manager.pk)} == {manager}
    assert {row.source for row in listed(source="import")} == {"Import"}
    # Events are stamped by the database's clock, not the tests' frozen one.
    day = timezone.localdate(listed()[0].when)
    tomorrow = day + timedelta(days=1)
    assert listed(since=tomorrow.isoformat()) == []
    assert len(listed(since=day.isoformat(), until=day.isoformat())) == len(listed())
    assert listed(until=(day - timedelta(days=1)).isoformat()) == []
    response = client.get(url, {"since": tomorrow.isoformat(), "until": "2020-01-01"})
    assert "The end date is before the start date." in response.text
    assert "No change matches these filters." in client.get(url, {"source": "api"}).text


def test_the_history_is_paginated(client, coo, partnership):
    with pghistory.context(user=coo.pk, source="page"):
        for n in range(55):
            make_objective(partnership, title=f"Objective {n}")
    client.force_login(coo)
    first = client.get(_history(partnership), {"model": "partnerships.Objective"})
    assert len(first.context["page"].object_list) == 50
    assert "1–50 of 55 changes" in first.text
    second = client.get(_history(partnership), {"model": "partnerships.Objective", "page": 2})
    assert [row.name for row in second.context["page"].object_list] == [
        "Objective 4",
        "Objective 3",
        "Objective 2",
        "Objective 1",
        "Objective 0",
    ]


def test_the_history_downloads_as_csv_with_the_filters(client, coo, manager, partnership, changes):
    client.force_login(coo)
    response = client.get(_history(partnership), {"export": "csv", "actor": manager.pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["When", "Who", "Through", "Kind"]
    assert {row[1] for row in rows[1:]} == {"Marco Rossi"}
    assert ["Changed", "progress: 0 → 55"] in [row[6:] for row in rows[1:]]


def test_an_object_history_holds_the_object_and_what_belongs_to_it(
    client, manager, partnership, changes, django_assert_max_num_queries
):
    objective, kpi = changes
    client.force_login(manager)
    url = reverse("audit:object", args=["kpis.kpi", kpi.pk])
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200
    assert {row.label for row in response.context["page"].object_list} == {
        "kpis.Kpi",
        "kpis.Measurement",
    }
    assert "Grow revenue" not in response.text
    # The small link from the KPI's page.
    assert url in client.get(reverse("kpis:kpi_detail", args=[kpi.pk])).text


def test_a_deleted_object_keeps_its_history(client, coo, partnership):
    agreement = Agreement.objects.create(
        partnership=partnership, start_date=date(2026, 1, 1), end_date=date(2027, 1, 1)
    )
    with pghistory.context(user=coo.pk, source="page"):
        document = Document.objects.create(agreement=agreement, title="Signed MSA")
        pk = document.pk
        document.delete()
    client.force_login(coo)
    response = client.get(reverse("audit:object", args=["contracts.document", pk]))
    assert response.status_code == 200
    assert [row.action for row in response.context["page"].object_list] == ["Deleted", "Created"]
    assert "Values before the delete" in response.text and "Signed MSA" in response.text


def test_the_global_history_is_for_executives(
    client, coo, manager, viewer, partnership, changes, django_assert_max_num_queries
):
    url = reverse("audit:history")
    client.force_login(coo)
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200 and "Not this one" in response.text
    for user in (manager, viewer):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_another_teams_manager_gets_404(client, other_manager, partnership, changes):
    objective, kpi = changes
    client.force_login(other_manager)
    assert client.get(_history(partnership)).status_code == 404
    assert client.get(reverse("audit:object", args=["kpis.kpi", kpi.pk])).status_code == 404
    objective_url = reverse("audit:object", args=["partnerships.objective", objective.pk])
    assert client.get(objective_url).status_code == 404


def test_a_partner_user_sees_no_history(client, partnership, changes):
    objective, kpi = changes
    profile = make_partner_user(partnership.partner, partnership)
    client.force_login(profile.user)
    for url in (
        reverse("audit:history"),
        _history(partnership),
        reverse("audit:object", args=["kpis.kpi", kpi.pk]),
    ):
        assert client.get(url).status_code == 404


def test_what_belongs_to_no_partnership_is_for_executives(client, coo, manager):
    with pghistory.context(user=coo.pk, source="admin"):
        manager.first_name = "Marcus"
        manager.save()
    url = reverse("audit:object", args=["auth.user", manager.pk])
    client.force_login(manager)
    assert client.get(url).status_code == 403
    client.force_login(coo)
    response = client.get(url)
    assert response.status_code == 200 and "Marco → Marcus" in response.text


@pytest.mark.parametrize(
    "model, pk",
    [("nothing.here", 1), ("kpis.snapshot", 1), ("kpis.kpi", 2**63), ("auth.user_groups", 1)],
)
def test_unknown_models_and_ids_are_404(client, coo, model, pk):
    client.force_login(coo)
    assert client.get(reverse("audit:object", args=[model, pk])).status_code == 404


def test_ids_beyond_the_column_and_bad_filters_are_not_errors(client, coo, partnership):
    client.force_login(coo)
    assert client.get(reverse(PARTNERSHIP_HISTORY, args=[2**63])).status_code == 404
    bad = {"model": "x" * 300, "actor": "²", "since": "2026-13-45", "page": "-1", "source": "z"}
    response = client.get(_history(partnership), bad)
    assert response.status_code == 200 and "Select a valid choice" in response.text


def test_a_history_with_nothing_in_it_says_so(client, coo, partnership):
    client.force_login(coo)
    other = make_partnership(title="Quiet")
    Objective.objects.all().delete()
    response = client.get(_history(other), {"model": "partnerships.Objective"})
    assert "No change matches these filters." in response.text


def test_the_menu_offers_the_global_history_to_executives_only(client, coo, manager):
    url = reverse("audit:history")
    client.force_login(coo)
    assert f'href="{url}"' in client.get(reverse("partnerships:list")).text
    client.force_login(manager)
    assert f'href="{url}"' not in client.get(reverse("partnerships:list")).text
