"""The digest preview is built once per schedule and version of the data: a reload is served
from the fragment cache, and the first view after any committed write is built again."""

import pytest
from django.urls import reverse

from partnerships.models import Partnership
from tests.digests.helpers import prefer
from tests.partnerships.test_pagecache import get as page_and_queries

pytestmark = pytest.mark.django_db(transaction=True)

URL = reverse("digests:preview")


def get(client, query=None):
    return page_and_queries(client, query, url=URL)


def test_a_reload_is_served_from_the_cache_and_is_the_same_preview(client, coo, partnership):
    client.force_login(coo)
    first, built = get(client)
    again, cached = get(client)
    assert "Joint analytics offering" in first
    # The user with their roles and digest preference, and the data version.
    assert again == first and cached <= 3 < built


def test_a_write_shows_on_the_next_preview(client, coo, partnership):
    client.force_login(coo)
    get(client)
    Partnership.objects.filter(pk=partnership.pk).update(title="Renamed alliance")
    page, _ = get(client)
    assert "Renamed alliance" in page and "Joint analytics offering" not in page
    # The send time moves the digest's schedule, and with it what the preview says.
    prefer(coo, time_zone="America/New_York")
    assert "(America/New_York)" in get(client)[0]


def test_each_user_and_week_has_its_own_preview(client, coo, manager, other_manager, partnership):
    client.force_login(coo)
    week_47, _ = get(client, {"week": "2026-W47"})
    # Sent on Monday 16 Nov, it covers the 7 days before; the next week's, the 7 after.
    assert "9–15 Nov 2026" in week_47
    assert "16–22 Nov 2026" in get(client, {"week": "2026-W48"})[0]
    assert get(client, {"week": "2026-W47"})[0] == week_47
    client.force_login(other_manager)
    page, _ = get(client, {"week": "2026-W47"})
    assert "You follow no partnerships." in page and "Joint analytics offering" not in page
