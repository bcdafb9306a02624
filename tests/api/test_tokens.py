"""Tokens: stored hashed, refused once expired or revoked, and limited to their scopes."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from django.urls import path
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from api import tokens
from api.authentication import BearerTokenAuthentication
from api.models import ApiToken, Scope
from api.permissions import TokenScopePermission
from tests.clock import NOW, TODAY

from .conftest import bearer, token_for

URL = "/api/v1/partnerships/"


def test_the_secret_is_not_stored_in_clear(manager):
    secret = token_for(manager)
    token = ApiToken.objects.get()
    assert token.digest == tokens.digest_of(secret) != secret
    assert secret.startswith(token.prefix) and len(token.prefix) < 16
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        row = " ".join(str(value) for value in cursor.fetchone())
    assert secret not in row
    assert secret[len(token.prefix) :] not in row


def test_each_token_is_different(manager):
    assert token_for(manager, name="a") != token_for(manager, name="b")


def test_a_token_works_and_records_its_use(client, manager, partnership):
    secret = token_for(manager)
    response = client.get(URL, **bearer(secret))
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [partnership.pk]
    assert ApiToken.objects.get().last_used_at == NOW
    # What a token reads is kept by no cache, as a signed-in page is not.
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cnc_not-a-token",
        "Bearer nothing-like-ours",
        "Bearer",
        "Bearer two words",
        "Bearer caf\u00e9",
    ],
)
def test_unknown_tokens_are_401_with_a_json_error(client, manager, header):
    response = client.get(URL, HTTP_AUTHORIZATION=header.encode().decode("latin-1"))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_no_credentials_is_401_not_a_redirect_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_an_expired_token_is_401(client, manager, clock):
    secret = token_for(manager, days=1)
    assert client.get(URL, **bearer(secret)).status_code == 200
    clock.move_to(NOW + timedelta(days=3))
    response = client.get(URL, **bearer(secret))
    assert response.status_code == 401
    assert response.json() == {"detail": "Unknown, expired or revoked token."}


def test_a_revoked_token_is_401(client, manager):
    secret = token_for(manager)
    assert tokens.token_revoke(user=manager, pk=ApiToken.objects.get().pk)
    assert client.get(URL, **bearer(secret)).status_code == 401


def test_a_token_of_an_inactive_user_is_401(client, manager):
    secret = token_for(manager)
    manager.is_active = False
    manager.save()
    assert client.get(URL, **bearer(secret)).status_code == 401


def test_a_token_of_someone_who_became_a_partner_user_is_401(client, manager):
    from django.contrib.auth.models import Group

    from partnerships.roles import PARTNER_USER

    secret = token_for(manager)
    manager.groups.add(Group.objects.get_or_create(name=PARTNER_USER)[0])
    assert client.get(URL, **bearer(secret)).status_code == 401


def test_partner_users_cannot_create_tokens(partner_user):
    with pytest.raises(PermissionDenied):
        token_for(partner_user)


@pytest.mark.parametrize(
    ("days", "problem"),
    [(0, "after today"), (-3, "after today"), (366, "at most a year")],
)
def test_expiry_is_required_within_a_year(manager, days, problem):
    with pytest.raises(ValidationError, match=problem):
        token_for(manager, days=days)


def test_a_year_is_the_longest_and_the_token_works_through_its_last_day(manager, clock):
    secret = token_for(manager, days=365)
    token = ApiToken.objects.get()
    assert token.expires_at.date() == TODAY + timedelta(days=366)
    assert tokens.token_for_secret(secret) == token


def test_scopes_must_be_known(manager):
    with pytest.raises(ValidationError):
        token_for(manager, scopes=["admin"])
    with pytest.raises(ValidationError):
        token_for(manager, scopes=[])


# The scope permission, on a small view that writes measurements as the reserved
# POST /api/v1/measurements/ will (that endpoint is not built yet).


class WriteMeasurements(APIView):
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [TokenScopePermission]
    required_scope = Scope.WRITE_MEASUREMENTS

    def post(self, request):
        return Response({"written": 0}, status=201)


urlpatterns = [path("write/", WriteMeasurements.as_view())]


@pytest.mark.parametrize(
    ("scopes", "status"),
    [
        ([Scope.READ], 403),
        ([Scope.WRITE_MEASUREMENTS], 201),
        ([Scope.READ, Scope.WRITE_MEASUREMENTS], 201),
    ],
)
def test_a_token_does_only_what_its_scopes_allow(manager, scopes, status):
    secret = token_for(manager, scopes=scopes)
    request = APIRequestFactory().post("/write/", {}, format="json", **bearer(secret))
    response = WriteMeasurements.as_view()(request)
    assert response.status_code == status
    if status == 403:
        assert response.data["detail"] == "This token does not have the “write_measurements” scope."


def test_a_write_only_token_cannot_read(client, manager):
    secret = token_for(manager, scopes=[Scope.WRITE_MEASUREMENTS])
    response = client.get(URL, **bearer(secret))
    assert response.status_code == 403
    assert "read" in response.json()["detail"]


@override_settings(ROOT_URLCONF=__name__)
def test_the_write_view_needs_credentials(client):
    assert client.post("/write/", {}, content_type="application/json").status_code == 401
