"""An app adds a panel and a portfolio column through its declaration alone, as the README says:
installed, it shows on the partnership page and in the portfolio, and nothing else changes."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def plugin_app(settings):
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "tests.plugin_app"]
    settings.ROOT_URLCONF = "tests.plugin_app.urls"  # Concord's URLs and the panel's


def test_a_declared_panel_shows_in_its_slot_and_loads(plugin_app, client, coo, partnership):
    client.force_login(coo)
    page = client.get(partnership.get_absolute_url()).text
    notes_url = reverse("plugin_app:notes", args=[partnership.pk])
    assert 'id="panel-notes"' in page and f'data-hx-get="{notes_url}"' in page
    # The side column, below the stage card, after the panels declared before it (order 70).
    side = page[page.index('<aside class="side">') :]
    assert side.index('id="stage"') < side.index('id="panel-dd"') < side.index('id="panel-notes"')
    panel = client.get(notes_url, headers={"HX-Request": "true"}).text
    assert panel == '<div id="field-notes">Notes on Joint analytics offering</div>'


def test_a_declared_column_shows_sorts_and_exports(plugin_app, client, coo, partnership):
    client.force_login(coo)
    page = client.get(reverse("partnerships:list")).text
    assert "Title length" in page
    assert '<span class="title-length">24 letters</span>' in page
    sorted_page = client.get(reverse("partnerships:list"), {"sort": "-title_length"})
    assert sorted_page.status_code == 200
    export = client.get(reverse("partnerships:export", kwargs={"fmt": "csv"})).content.decode()
    assert "Title length" in export.splitlines()[0] and ",24" in export


def test_without_the_app_neither_is_there(client, coo, partnership):
    client.force_login(coo)
    assert 'id="panel-notes"' not in client.get(partnership.get_absolute_url()).text
    assert "Title length" not in client.get(reverse("partnerships:list")).text
