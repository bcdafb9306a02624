"""POST /api/v1/measurements/: the import's rules through a token, all or nothing, once per key.
The rules themselves are tested in tests/kpis/test_feeds.py."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from api.models import ApiToken, Scope
from kpis.models import Measurement, Source

from .conftest import bearer, token_for

WRITE = (Scope.READ, Scope.WRITE_MEASUREMENTS)


def week(n):
    return str(date.fromisocalendar(2026, n, 1))


@pytest.fixture
def weekly(company):
    from tests.kpis.conftest import make_kpi

    return make_kpi(company["ours"], name="Weekly leads", frequency="weekly")


def post(client, secret, rows, **headers):
    return client.post(
        reverse("api:measurements"),
        data=json.dumps({"measurements": rows}),
        content_type="application/json",
        **bearer(secret),
        **headers,
    )


def rows(kpi, weeks=3):
    return [{"kpi_id": kpi.pk, "period": week(w), "value": 10 * w} for w in range(1, weeks + 1)]


def test_a_write_token_writes_with_the_api_as_source(client, manager, weekly):
    response = post(client, token_for(manager, WRITE), rows(weekly))

    assert response.status_code == 201, response.content
    assert response.json() == {
        "rows": 3,
        "created": 3,
        "corrected": 0,
        "unchanged": 0,
        "skipped": 0,
    }
    stored = Measurement.objects.filter(kpi=weekly)
    assert {(m.source, m.recorded_by_id) for m in stored} == {(Source.API, manager.pk)}
    assert sorted(m.value for m in stored) == [Decimal(10), Decimal(20), Decimal(30)]


def test_a_read_token_cannot_write(client, manager, weekly):
    response = post(client, token_for(manager, (Scope.READ,)), rows(weekly))

    assert response.status_code == 403
    assert "write_measurements" in response.json()["detail"]
    assert not Measurement.objects.filter(kpi=weekly).exists()


def test_a_revoked_token_cannot_write(client, manager, weekly):
    secret = token_for(manager, WRITE)
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")

    assert post(client, secret, rows(weekly)).status_code == 401
    assert not Measurement.objects.filter(kpi=weekly).exists()


def test_one_bad_row_writes_nothing_and_lists_the_row(client, manager, weekly):
    sent = rows(weekly)
    sent[2]["value"] = "lots"

    response = post(client, token_for(manager, WRITE), sent)

    assert response.status_code == 400
    body = response.json()
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(2, "value")]
    assert "nothing was written" in body["detail"]
    assert not Measurement.objects.filter(kpi=weekly).exists()


def test_another_teams_kpi_is_refused_by_row(client, other_manager, weekly):
    response = post(client, token_for(other_manager, WRITE), rows(weekly, weeks=1))

    assert response.status_code == 400
    assert "Unknown KPI" in response.json()["errors"][0]["message"]
    assert not Measurement.objects.filter(kpi=weekly).exists()


def test_a_repeated_idempotency_key_returns_the_first_answer(client, manager, weekly):
    secret = token_for(manager, WRITE)
    first = post(client, secret, rows(weekly), HTTP_IDEMPOTENCY_KEY="nightly-2026-03-02")
    Measurement.objects.filter(kpi=weekly).delete()

    again = post(client, secret, rows(weekly), HTTP_IDEMPOTENCY_KEY="nightly-2026-03-02")

    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not Measurement.objects.filter(kpi=weekly).exists(), "nothing written again"


def test_a_key_reused_for_other_rows_is_422(client, manager, weekly):
    secret = token_for(manager, WRITE)
    post(client, secret, rows(weekly), HTTP_IDEMPOTENCY_KEY="k1")

    response = post(client, secret, rows(weekly, weeks=2), HTTP_IDEMPOTENCY_KEY="k1")

    assert response.status_code == 422


@pytest.mark.parametrize(
    "body",
    [{}, [], {"measurements": "x"}, {"rows": []}],
    ids=["empty", "a-list", "not-a-list", "wrong-key"],
)
def test_a_body_of_the_wrong_shape_is_400_with_a_message(client, manager, body):
    response = client.post(
        reverse("api:measurements"),
        data=json.dumps(body),
        content_type="application/json",
        **bearer(token_for(manager, WRITE)),
    )

    assert response.status_code == 400
    assert response.json()["detail"]


def test_more_than_the_limit_is_refused(client, manager, weekly, settings):
    settings.API_FEED_MAX_ROWS = 2

    response = post(client, token_for(manager, WRITE), rows(weekly, weeks=3))

    assert response.status_code == 400
    assert "at most 2" in response.json()["detail"]


def test_ten_thousand_rows_in_one_request(client, manager, company):
    """The issue's limit: 10,000 measurements, written together in a constant few queries."""
    from tests.kpis.conftest import make_kpi

    kpis = [make_kpi(company["ours"], frequency="weekly") for _ in range(20)]
    first_monday = date(2012, 1, 2)
    sent = [
        {"kpi_id": kpi.pk, "period": str(first_monday + timedelta(weeks=w)), "value": w}
        for kpi in kpis
        for w in range(500)
    ]

    response = post(client, token_for(manager, WRITE), sent)

    assert response.status_code == 201, response.content[:500]
    assert response.json()["created"] == 10_000
    assert Measurement.objects.filter(source=Source.API).count() == 10_000
