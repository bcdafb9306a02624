"""The portfolio's content comes from the fragment cache while the data has not changed, and is
rebuilt on the first request after any committed write: it is never stale."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import ActionItem
from kpis.models import HealthSnapshot
from partnerships.models import Partnership
from tests.factories import make_partnership

pytestmark = pytest.mark.django_db(transaction=True)

URL = reverse("partnerships:list")


def get(client, query=None, *, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, query or {}, headers=headers)
    assert response.status_code == 200
    # Tokens and nonces differ on every response, cached content or not.
    page = re.sub(
        r'(nonce="|"X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+',
        r"\1",
        response.content.decode(),
    )
    return page, len(queries)


def test_the_second_view_is_served_from_the_cache_and_is_the_same_page(client, coo, partnership):
    client.force_login(coo)
    first, built = get(client)
    again, cached = get(client)
    assert again == first and cached < built
    table, built = get(client, {"sort": "-title"}, htmx=True)
    assert table.lstrip().startswith('<div id="results">')
    assert get(client, {"sort": "-title"}, htmx=True) == (table, cached)


def test_any_write_shows_on_the_next_view(client, coo, manager, partnership):
    client.force_login(coo)
    get(client)
    get(client)
    Partnership.objects.filter(pk=partnership.pk).update(title="Renamed by a bulk update")
    assert "Renamed by a bulk update" in get(client)[0]
    HealthSnapshot.objects.create(
        partnership=partnership, period=date(2026, 1, 1), score=31, band="red"
    )
    page, _ = get(client)
    assert 'title="Unhealthy">31</span>' in page
    with connection.cursor() as cursor:  # a write no ORM signal sees
        cursor.execute("UPDATE kpis_healthsnapshot SET score = 32")
    assert 'title="Unhealthy">32</span>' in get(client)[0]
    ActionItem.objects.create(
        partnership=partnership,
        title="Late",
        owner=manager,
        due_date=date.today() - timedelta(days=2),
    )
    assert (
        '<span class="tile-value">1</span><span class="tile-label">With overdue actions'
        in (get(client)[0])
    )


def test_each_audience_has_its_own_portfolio(client, coo, manager, viewer, partnership):
    make_partnership(title="Not on their team")
    client.force_login(coo)
    assert "Not on their team" in get(client)[0]
    client.force_login(manager)
    page, _ = get(client)
    assert "Joint analytics offering" in page and "Not on their team" not in page
    client.force_login(viewer)
    page, _ = get(client)
    assert "Not on their team" not in page and "+ New partnership" not in page
