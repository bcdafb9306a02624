"""TOTP with recovery codes: set up with a real code, asked for at sign-in, and required of
the roles MFA_REQUIRED_ROLES names."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group

from partnerships.roles import EXECUTIVE
from tests.factories import make_user

from .conftest import (
    page_recovery_codes,
    page_secret,
    password_sign_in,
    signed_in_user,
    totp,
)

pytestmark = pytest.mark.django_db

WRONG_CODE = "That code is not right"


def enable_totp(client, clock):
    """Through the pages, as a person would: returns the secret and the recovery codes."""
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200, page.get("Location")
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code
    secret = page_secret(html)
    done = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret)})
    assert done.status_code == 302 and done["Location"] == "/accounts/2fa/recovery-codes/"
    codes = page_recovery_codes(client.get(done["Location"]).content.decode())
    assert len(codes) == 10
    clock.shift(60)  # the next code is a new one: a code is accepted once only
    return secret, codes


@pytest.fixture
def with_totp(client, coo, clock):
    assert password_sign_in(client, "coo").status_code == 302
    secret, codes = enable_totp(client, clock)
    client.post("/accounts/logout/")
    return secret, codes


def test_sign_in_asks_for_the_code_after_the_password(client, coo, with_totp):
    secret, _ = with_totp
    answer = password_sign_in(client, "coo")
    assert answer.status_code == 302 and answer["Location"] == "/accounts/2fa/authenticate/"
    assert not signed_in_user(client).is_authenticated
    assert client.get("/partnerships/")["Location"].startswith("/accounts/login/")
    page = client.get("/accounts/2fa/authenticate/").content.decode()
    assert "Two-factor authentication" in page

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert WRONG_CODE in wrong.content.decode()
    assert not signed_in_user(client).is_authenticated

    right = client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})
    assert right.status_code == 302 and right["Location"] == "/"
    assert signed_in_user(client) == coo


def test_next_page_survives_the_second_step(client, coo, with_totp):
    secret, _ = with_totp
    answer = client.post(
        "/accounts/login/",
        {"username": "coo", "password": "pw-for-tests-1", "next": "/partnerships/"},
    )
    assert answer["Location"] == "/accounts/2fa/authenticate/"
    right = client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})
    assert right["Location"] == "/partnerships/"


def test_a_recovery_code_works_once(client, coo, with_totp):
    _, codes = with_totp
    password_sign_in(client, "coo")
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert signed_in_user(client) == coo
    client.post("/accounts/logout/")

    password_sign_in(client, "coo")
    again = client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert again.status_code == 200 and WRONG_CODE in again.content.decode()
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[1]}).status_code == 302
    assert signed_in_user(client) == coo


def test_wrong_password_still_stops_before_the_code(client, coo, with_totp):
    answer = password_sign_in(client, "coo", password="wrong")
    assert answer.status_code == 200
    assert "That username and password do not match" in answer.content.decode()
    assert client.get("/accounts/2fa/authenticate/")["Location"] == "/accounts/login/"


def test_security_page_shows_the_state_and_regenerates_codes(client, coo, with_totp, clock):
    secret, codes = with_totp
    password_sign_in(client, "coo")
    client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})
    page = client.get("/accounts/2fa/").content.decode()
    assert "Signing in asks for a code from your authenticator app." in page
    assert "10 of 10 codes left" in page
    assert client.post("/accounts/2fa/recovery-codes/generate/").status_code == 302
    fresh = page_recovery_codes(client.get("/accounts/2fa/recovery-codes/").content.decode())
    assert len(fresh) == 10 and not set(fresh) & set(codes)


def test_turning_off_asks_for_the_password_again(client, coo, with_totp, clock):
    secret, _ = with_totp
    password_sign_in(client, "coo")
    client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})
    clock.shift(15 * 60)  # long past the sign-in
    asked = client.get("/accounts/2fa/totp/deactivate/")
    assert asked.status_code == 302
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    wrong = client.post(asked["Location"], {"password": "nope"})
    assert wrong.status_code == 200 and "form-errors" in wrong.content.decode()
    back = client.post(asked["Location"], {"password": "pw-for-tests-1"})
    assert back.status_code == 302
    assert client.post("/accounts/2fa/totp/deactivate/").status_code == 302
    assert not Authenticator.objects.filter(user=coo).exists()
    client.post("/accounts/logout/")
    assert password_sign_in(client, "coo")["Location"] == "/"


def test_wrong_code_at_setup_is_refused(client, coo):
    password_sign_in(client, "coo")
    client.get("/accounts/2fa/totp/activate/")
    answer = client.post("/accounts/2fa/totp/activate/", {"code": "123"})
    assert answer.status_code == 200 and WRONG_CODE in answer.content.decode()
    assert not Authenticator.objects.filter(user=coo).exists()


def test_required_for_executives_not_for_partner_managers(client, settings, coo, manager):
    settings.MFA_REQUIRED_ROLES = ["executive", "staff"]
    password_sign_in(client, "coo")
    sent = client.get("/partnerships/", follow=True)
    assert sent.redirect_chain[0] == ("/accounts/2fa/totp/activate/", 302)
    assert "Your role requires two-factor authentication" in sent.content.decode()
    assert client.get("/kpis/alerts/")["Location"] == "/accounts/2fa/totp/activate/"
    client.post("/accounts/logout/")

    password_sign_in(client, "manager")
    assert client.get("/partnerships/").status_code == 200


def test_required_setup_then_the_app_opens(client, settings, coo, clock):
    settings.MFA_REQUIRED_ROLES = ["executive"]
    password_sign_in(client, "coo")
    enable_totp(client, clock)
    assert client.get("/partnerships/").status_code == 200


def test_staff_are_required_whatever_their_role(client, settings):
    settings.MFA_REQUIRED_ROLES = ["staff"]
    make_user("ops", "Viewer", is_staff=True)
    password_sign_in(client, "ops")
    assert client.get("/partnerships/")["Location"] == "/accounts/2fa/totp/activate/"


def test_nothing_required_by_default(client, coo):
    password_sign_in(client, "coo")
    assert client.get("/partnerships/").status_code == 200


def test_mfa_pages_within_the_query_budget(client, coo, with_totp, django_assert_max_num_queries):
    secret, _ = with_totp
    password_sign_in(client, "coo")
    with django_assert_max_num_queries(15):
        assert client.get("/accounts/2fa/authenticate/").status_code == 200
    client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})
    for url in (
        "/accounts/2fa/",
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/recovery-codes/generate/",
        "/accounts/2fa/totp/deactivate/",
        "/accounts/reauthenticate/",
    ):
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200, url


def test_setup_page_within_the_query_budget(client, coo, django_assert_max_num_queries):
    password_sign_in(client, "coo")
    with django_assert_max_num_queries(15):
        assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    assert Group.objects.filter(name=EXECUTIVE).exists()
