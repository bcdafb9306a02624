"""Error pages in the product's layout, and a menu that offers only what a role can open."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from tests.portal.conftest import make_partner_user


def test_not_found_is_a_page_of_the_app(client, manager):
    client.force_login(manager)
    response = client.get("/partnerships/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'class="topbar"' in html  # the internal layout, with its menu
    assert reverse("partnerships:list") in html
    assert "Signed in as" in html


def test_not_found_signed_out_is_styled_without_the_menu(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "app.css" in html
    assert 'class="topbar"' not in html


def test_forbidden_says_why_in_the_layout(client, viewer, partnership):
    client.force_login(viewer)
    response = client.post(reverse("partnerships:edit", args=[partnership.pk]), {})
    assert response.status_code == 403
    html = response.content.decode()
    assert "You do not have access to this page" in html
    assert "Viewer" in html
    assert 'class="topbar"' in html


def test_partner_users_get_the_portal_layout(client, partnership):
    profile = make_partner_user(partnership.partner, partnership, username="pia")
    client.force_login(profile.user)
    response = client.get("/partnerships/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "Strategic goals" not in html  # nothing of the internal menu
    assert 'href="/portal/"' in html


def test_server_error_page_is_standalone(settings, manager):
    settings.ROOT_URLCONF = "tests.errorpages.urls"
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    response = client.get("/_broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "Nothing you saved before this is lost" in html
    assert "app.css" in html


def test_expired_form_is_explained(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    response = client.post(reverse("partnerships:create"), {"title": "x"})
    assert response.status_code == 403
    assert "The form expired" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "offered"),
    [("Executive", True), ("Partner manager", True), ("Viewer", False)],
)
def test_menu_offers_kpi_entry_only_to_who_can_enter(client, db, role, offered):
    user = make_user(f"menu-{role.split()[0].lower()}", role)
    client.force_login(user)
    html = client.get(reverse("partnerships:list")).content.decode()
    assert (f'href="{reverse("kpis:entry_grid")}"' in html) is offered
    assert f'href="{reverse("kpis:alert_inbox")}"' in html
