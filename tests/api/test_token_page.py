"""The API tokens page: create (the secret shown once), validation, revoke, empty state."""

from datetime import timedelta

import pytest
from django.urls import reverse

from api.models import ApiToken
from tests.clock import TODAY
from tests.factories import make_user

from .conftest import token_for

PAGE = reverse("api_tokens:list")


def form(**overrides):
    data = {"name": "CRM sync", "scopes": ["read"], "expires_on": str(TODAY + timedelta(days=90))}
    data.update(overrides)
    return data


def test_empty_state_and_the_link_in_the_user_menu(client, manager):
    client.force_login(manager)
    html = client.get(PAGE).content.decode()
    assert "You have no API tokens yet." in html
    assert str(TODAY + timedelta(days=90)) in html  # the default expiry, 90 days
    assert f'href="{PAGE}"' in client.get(reverse("partnerships:list")).content.decode()


def test_creating_shows_the_secret_once(client, manager):
    client.force_login(manager)
    response = client.post(PAGE, form())
    assert response.status_code == 200
    secret = response.context["secret"]
    html = response.content.decode()
    assert secret in html and "Copy your new token now" in html
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.scopes) == (manager, "CRM sync", ["read"])
    assert token.expires_at.date() == TODAY + timedelta(days=91)
    again = client.get(PAGE).content.decode()
    assert secret not in again
    assert token.prefix in again and "Active" in again and "never" in again


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (form(name=" "), "name", "Give the token a name"),
        (form(scopes=[]), "scopes", "Choose at least one scope."),
        (form(scopes=["admin"]), "scopes", "Select a valid choice."),
        (form(expires_on=""), "expires_on", "Choose the day the token stops working."),
        (form(expires_on="31/02/2027"), "expires_on", "Enter a date such as"),
        (form(expires_on=str(TODAY)), "expires_on", "Choose a date after today."),
        (form(expires_on=str(TODAY + timedelta(days=366))), "expires_on", "at most a year"),
    ],
)
def test_validation_messages(client, manager, data, field, message):
    client.force_login(manager)
    response = client.post(PAGE, data)
    assert response.status_code == 422
    assert message in str(response.context["form"].errors[field])
    assert not ApiToken.objects.exists()


def test_two_working_tokens_cannot_share_a_name(client, manager):
    token_for(manager, name="CRM sync")
    client.force_login(manager)
    response = client.post(PAGE, form(name="crm SYNC"))
    assert response.status_code == 422
    assert "already have a working token" in str(response.context["form"].errors["name"])


def test_revoking(client, manager):
    token_for(manager)
    token = ApiToken.objects.get()
    client.force_login(manager)
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]), follow=True)
    assert "Token revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in response.content.decode()


def test_nobody_revokes_anothers_token(client, manager, other_manager):
    token_for(other_manager)
    token = ApiToken.objects.get()
    client.force_login(manager)
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]), follow=True)
    assert "already revoked or is not yours" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_page_lists_only_ones_own_tokens(client, manager, other_manager):
    token_for(other_manager, name="Theirs")
    token_for(manager, name="Mine")
    client.force_login(manager)
    html = client.get(PAGE).content.decode()
    assert "Mine" in html and "Theirs" not in html


def test_revoking_needs_a_post(client, manager):
    client.force_login(manager)
    assert client.get(reverse("api_tokens:revoke", args=[1])).status_code == 405


def test_partner_users_get_404_and_no_link(client, partner_user):
    client.force_login(partner_user)
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, form()).status_code == 404
    assert not ApiToken.objects.exists()


def test_the_page_reads_a_constant_number_of_queries(
    client, manager, django_assert_max_num_queries
):
    for n in range(30):
        token_for(manager, name=f"Token {n}")
    client.force_login(manager)
    with django_assert_max_num_queries(15):
        response = client.get(PAGE)
    assert response.status_code == 200
    assert "1–25 of 30 tokens" in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_viewer_may_have_tokens(client, db):
    viewer = make_user("vik", "Viewer")
    client.force_login(viewer)
    assert client.post(PAGE, form()).status_code == 200
    assert ApiToken.objects.filter(user=viewer).exists()
