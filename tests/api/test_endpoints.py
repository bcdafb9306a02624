"""The endpoints see what the pages show the same person, filter, and page with a cursor."""

from datetime import date
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from kpis.models import Alert, Snapshot
from kpis.snapshots import recompute
from tests.factories import make_partnership

from .conftest import bearer, measured_kpi, token_for


def get(client, user, url, **params):
    return client.get(url, params, **bearer(token_for(user)))


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_a_manager_gets_404_for_another_teams_partnership(client, company, manager):
    secret = token_for(manager)
    theirs, ours, rival = company["theirs"], company["ours"], company["rival"]
    for url in (
        reverse("api:partnership", args=[theirs.pk]),
        reverse("api:kpi", args=[rival.pk]),
        reverse("api:alert", args=[Alert.objects.get(kpi=rival).pk]),
    ):
        response = client.get(url, **bearer(secret))
        assert response.status_code == 404, url
        assert "detail" in response.json()
    assert (
        client.get(reverse("api:partnership", args=[ours.pk]), **bearer(secret)).json()["title"]
        == ours.title
    )


def test_lists_hold_only_what_the_pages_show(client, company, coo, manager, viewer, other_manager):
    ours, theirs = company["ours"].pk, company["theirs"].pk
    url = reverse("api:partnerships")
    assert ids(get(client, coo, url)) == [ours, theirs]
    assert ids(get(client, manager, url)) == [ours]
    assert ids(get(client, viewer, url)) == [ours]
    assert ids(get(client, other_manager, url)) == [theirs]
    kpis = reverse("api:kpis")
    assert set(ids(get(client, viewer, kpis))) == {company["sales"].pk, company["leads"].pk}
    snapshots = get(client, other_manager, reverse("api:snapshots"), page_size=200)
    assert {row["kpi"] for row in snapshots.json()["results"]} == {company["rival"].pk}
    alerts = get(client, manager, reverse("api:alerts"))
    assert {row["kpi"] for row in alerts.json()["results"]} == {company["sales"].pk}


def test_a_viewer_not_on_the_team_sees_nothing(client, company, db):
    from tests.factories import make_user

    outsider = make_user("outsider", "Viewer")
    assert ids(get(client, outsider, reverse("api:partnerships"))) == []
    assert get(client, outsider, reverse("api:kpi", args=[company["sales"].pk])).status_code == 404


def test_kpis_filter_by_partnership(client, company, coo):
    response = get(client, coo, reverse("api:kpis"), partnership=company["theirs"].pk)
    assert ids(response) == [company["rival"].pk]
    kpi = response.json()["results"][0]
    assert kpi["latest_status"] == "off_track" and kpi["latest_period"] == "2026-06-01"


def test_snapshots_filter_by_kpi_period_and_status(client, company, coo):
    url = reverse("api:snapshots")
    sales = company["sales"]
    rows = get(
        client, coo, url, kpi=sales.pk, period_from="2026-02-01", period_to="2026-05-01"
    ).json()["results"]
    assert [row["period"] for row in rows] == [f"2026-0{m}-01" for m in (2, 3, 4, 5)]
    off = get(client, coo, url, kpi=sales.pk, status="off_track").json()["results"]
    assert {row["period"] for row in off} == {f"2026-0{m}-01" for m in (3, 4, 5, 6)}
    by_partnership = get(client, coo, url, partnership=company["theirs"].pk, page_size=200)
    assert {row["kpi"] for row in by_partnership.json()["results"]} == {company["rival"].pk}


def test_alerts_filter_by_partnership_and_status(client, company, coo):
    url = reverse("api:alerts")
    ours = Alert.objects.get(kpi=company["sales"])
    assert ids(get(client, coo, url, partnership=company["ours"].pk)) == [ours.pk]
    assert len(ids(get(client, coo, url, status="open"))) == 2
    assert ids(get(client, coo, url, status="resolved")) == []


@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("api:snapshots", {"status": "green"}),
        ("api:snapshots", {"period_from": "2026-13-01"}),
        ("api:snapshots", {"kpi": "²"}),
        ("api:kpis", {"partnership": "99999999999999999999999"}),
        ("api:alerts", {"partnership": "-1"}),
        ("api:alerts", {"status": "closed"}),
    ],
)
def test_a_wrong_filter_is_a_400_naming_it(client, company, coo, url_name, params):
    response = get(client, coo, reverse(url_name), **params)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Check the filters." and set(body["errors"]) <= {*params}


def test_cursor_pagination_walks_every_row_once_in_order(client, company, coo):
    secret = token_for(coo)
    url = reverse("api:snapshots") + "?page_size=7"
    seen, pages = [], 0
    while url:
        response = client.get(url, **bearer(secret))
        assert response.status_code == 200
        body = response.json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"] and urlsplit(body["next"])._replace(scheme="", netloc="").geturl()
        pages += 1
    expected = list(Snapshot.objects.order_by("id").values_list("id", flat=True))
    assert seen == expected
    assert pages == -(-len(expected) // 7)


def test_a_cursor_that_is_not_ours_is_404(client, company, coo):
    response = get(client, coo, reverse("api:partnerships"), cursor="@@not-base64@@")
    assert response.status_code == 404


LISTS = ["api:partnerships", "api:kpis", "api:snapshots", "api:alerts"]


@pytest.mark.parametrize("url_name", LISTS)
def test_lists_read_a_constant_number_of_queries(
    client, company, coo, url_name, django_assert_max_num_queries
):
    for n in range(6):  # more partnerships, KPIs, snapshots and alerts
        p = make_partnership(owner=coo)
        measured_kpi(p, [10] * 10, name=f"Extra {n}")  # off track all year: an alert each
    recompute(partnership_ids=None, today=date(2026, 11, 3), notify=False)
    secret = token_for(coo)
    # Token, user and role, the last-use stamp, the page: nothing per row.
    with django_assert_max_num_queries(5):
        response = client.get(reverse(url_name), {"page_size": 200}, **bearer(secret))
    assert response.status_code == 200
    assert len(response.json()["results"]) > 6


def test_a_signed_in_person_reads_without_a_token(client, company, manager):
    client.force_login(manager)
    assert ids(client.get(reverse("api:partnerships"))) == [company["ours"].pk]


def test_a_partner_user_session_gets_404(client, company, partner_user):
    client.force_login(partner_user)
    assert client.get(reverse("api:partnerships")).status_code == 404
    assert client.get(reverse("api:docs")).status_code == 404


def test_schema_and_docs_need_a_signed_in_user_or_a_token(client, coo):
    schema, docs = reverse("api:schema"), reverse("api:docs")
    assert client.get(schema).status_code == 401
    assert client.get(docs).status_code == 401
    secret = token_for(coo)
    response = client.get(schema, {"format": "json"}, **bearer(secret))
    assert response.status_code == 200
    assert "/api/v1/snapshots/" in response.json()["paths"]
    client.force_login(coo)
    page = client.get(docs)
    assert page.status_code == 200
    html = page.content.decode()
    # Served from our static files; the start-up script is a file too (CSP: script-src 'self').
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<script>" not in html
    script = client.get(docs, {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_the_only_write_in_the_schema_is_the_measurements_feed(client, coo):
    client.force_login(coo)
    paths = client.get(reverse("api:schema"), {"format": "json"}).json()["paths"]
    writes = {
        (path, method) for path, methods in paths.items() for method in methods if method != "get"
    }
    assert writes == {("/api/v1/measurements/", "post")}
    feed = paths["/api/v1/measurements/"]["post"]
    assert {p["name"] for p in feed["parameters"]} == {"Idempotency-Key"}
