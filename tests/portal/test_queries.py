"""Every portal page within the query budget (15), and constant in the size of the data."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpis import periods
from kpis.models import Snapshot
from partnerships.models import Objective
from portal import agreements, submissions
from tests.factories import make_objective
from tests.portal.conftest import last_period, make_kpi

PAGES = [
    "portal:home",
    "portal:partnership",
    "portal:objectives",
    "portal:entry",
    "portal:submissions",
]


def _url(name, world):
    if name in ("portal:partnership", "portal:objectives"):
        return reverse(name, args=[world["a"].pk])
    return reverse(name)


_seq = itertools.count()


def _grow(world, n):
    """n more shared KPIs entered by the partner, objectives agreed, values sent."""
    a, user = world["a"], world["pa"].user
    for i in (next(_seq) for _ in range(n)):
        objective = make_objective(a, title=f"More {i} {n}", side=Objective.Side.SHARED)
        agreements.agree(objective=objective, side="partner", by=user)
        kpi = make_kpi(
            a,
            objective,
            name=f"More KPI {i} {n}",
            entered_by="partner",
            partner_values_need_acceptance=bool(i % 2),
        )
        period = last_period(kpi)
        submissions.submit(kpi=kpi, period=period, raw="10", by=user)
        Snapshot.objects.update_or_create(
            kpi=kpi,
            period=periods.previous_period(period, kpi.frequency),
            defaults={
                "partnership": a,
                "period_end": period,
                "frequency": kpi.frequency,
                "status": "on_track",
                "value": 10,
                "kpi_version": 1,
                "direction": "higher",
                "target": 100,
                "warning": 80,
                "critical": 50,
            },
        )


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("name", PAGES)
def test_portal_page_within_budget_and_constant(client, world, name, django_assert_max_num_queries):
    client.force_login(world["pa"].user)
    url = _url(name, world)
    client.get(url)  # warm-up: session and last-seen writes of a first visit
    _grow(world, 2)
    small = _count(client, url)
    _grow(world, 12)
    with django_assert_max_num_queries(15):
        client.get(url)
    assert _count(client, url) == small


def test_internal_portal_panel_within_budget_and_constant(
    client, manager, world, django_assert_max_num_queries
):
    client.force_login(manager)
    for url in (
        reverse("partner_access:panel", args=[world["a"].pk]),
        reverse("partner_access:kpis", args=[world["a"].pk]),
    ):
        client.get(url, HTTP_HX_REQUEST="true")
        _grow(world, 2)
        small = _count(client, url)
        _grow(world, 12)
        with django_assert_max_num_queries(15):
            client.get(url, HTTP_HX_REQUEST="true")
        assert _count(client, url) == small, url
