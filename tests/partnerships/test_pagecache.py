"""Pages and panels come from the fragment cache while the data has not changed, and are rebuilt
on the first request after any committed write: never stale, never someone else's."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import ActionItem
from kpis.models import HealthSnapshot
from partnerships.models import Interaction, Partnership
from partnerships.pagecache import CSRF_HOLE, code_fingerprint
from partnerships.panels import panels
from tests.factories import make_partnership

pytestmark = pytest.mark.django_db(transaction=True)

URL = reverse("partnerships:list")


def get(client, query=None, *, htmx=False, url=URL):
    headers = {"HX-Request": "true"} if htmx else {}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query or {}, headers=headers)
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
    # The user with their roles (the session is in the cache), and the data version.
    assert again == first and cached == 2 < built
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


def test_the_partnership_page_and_its_panels_are_cached_and_follow_writes(client, coo, partnership):
    client.force_login(coo)
    page_url = partnership.get_absolute_url()
    urls = [(page_url, False), (page_url, True)] + [(p.url(partnership), True) for p in panels()]
    for url, htmx in urls:
        first, built = get(client, url=url, htmx=htmx)
        again, cached = get(client, url=url, htmx=htmx)
        # Who is asking (the user with their roles), the data version and the partnership.
        assert again == first and cached == 3 < built, url
    Interaction.objects.create(partnership=partnership, kind="call", subject="Pricing call")
    assert "Pricing call" in get(client, url=page_url)[0]
    assert "Pricing call" in get(client, url=page_url, htmx=True)[0]
    timeline = next(p for p in panels() if p.key == "timeline").url(partnership)
    assert "Pricing call" in get(client, url=timeline, htmx=True)[0]


def test_forms_in_cached_parts_carry_the_requests_own_token(coo, manager, partnership):
    """Cached HTML holds no token: each user's copy gets theirs, and their posts pass CSRF."""
    action = ActionItem.objects.create(
        partnership=partnership, title="Send the plan", owner=manager, due_date=date(2030, 1, 1)
    )
    meetings = next(p for p in panels() if p.key == "meetings").url(partnership)
    for user in (coo, manager):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        with CaptureQueriesContext(connection) as built:
            browser.get(meetings, headers={"HX-Request": "true"})
        with CaptureQueriesContext(connection) as cached:
            html = browser.get(meetings, headers={"HX-Request": "true"}).content.decode()
        assert len(cached) < len(built)
        assert CSRF_HOLE not in html
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        done = reverse("governance:action_done", args=[partnership.pk, action.pk])
        assert browser.post(done, {"csrfmiddlewaretoken": token}).status_code == 302
        ActionItem.objects.filter(pk=action.pk).update(status="open")


def test_pages_are_built_as_usual_when_the_cache_is_down(client, coo, partnership, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    client.force_login(coo)
    assert "Joint analytics offering" in get(client)[0]
    assert "Joint analytics offering" in get(client, url=partnership.get_absolute_url())[0]


def test_the_code_fingerprint_is_taken_under_overridden_settings_too(settings):
    settings.TIME_ZONE = "Asia/Tokyo"  # as tests do: settings.SETTINGS_MODULE is then None
    code_fingerprint.cache_clear()
    try:
        assert len(code_fingerprint()) == 16
    finally:
        code_fingerprint.cache_clear()
