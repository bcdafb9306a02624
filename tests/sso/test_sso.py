"""Single sign-on through a real OpenID Connect provider started by the tests."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from partnerships.roles import EXECUTIVE, PARTNER_MANAGER, VIEWER
from tests.factories import make_user

from .conftest import set_identity, signed_in_user, sso_settings, sso_sign_in

pytestmark = pytest.mark.django_db


def test_login_page_offers_sso_only_when_configured(client, settings, sso):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Acme ID" in page
    assert 'id="id_username"' in page and 'id="id_password"' in page
    settings.OIDC_ISSUER = ""
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()


def test_verified_email_signs_in_the_existing_user(client, sso, coo):
    set_identity(sso, "clara-1", email="coo@example.com", email_verified=True, name="Clara O")
    answer = sso_sign_in(client, sso, "clara-1", next_url="/partnerships/")
    assert answer.status_code == 302 and answer["Location"] == "/partnerships/"
    assert signed_in_user(client) == coo
    assert SocialAccount.objects.get(user=coo).uid == "clara-1"
    assert client.get("/partnerships/").status_code == 200
    # The next sign-in finds the linked account by its subject, whatever the email says now.
    client.post("/accounts/logout/")
    set_identity(sso, "clara-1", email="clara@new.example", email_verified=True)
    sso_sign_in(client, sso, "clara-1")
    assert signed_in_user(client) == coo


def test_email_matching_ignores_case(client, sso, coo):
    set_identity(sso, "clara-2", email="COO@Example.com", email_verified=True)
    sso_sign_in(client, sso, "clara-2")
    assert signed_in_user(client) == coo


def test_unverified_email_never_matches_an_existing_user(client, settings, sso, coo):
    settings.OIDC_CREATE_USERS = True
    set_identity(sso, "mallory", email="coo@example.com", email_verified=False)
    answer = sso_sign_in(client, sso, "mallory")
    assert answer.status_code == 403
    text = answer.content.decode()
    assert "has not confirmed the email address coo@example.com" in text
    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.exists()
    assert get_user_model().objects.filter(email__iexact="coo@example.com").count() == 1


def test_no_match_and_no_account_creation_is_refused_with_a_reason(client, sso):
    set_identity(sso, "newbie", email="newbie@example.com", email_verified=True)
    answer = sso_sign_in(client, sso, "newbie")
    assert answer.status_code == 403
    assert "No Concord account has your email address" in answer.content.decode()
    assert not get_user_model().objects.filter(email="newbie@example.com").exists()


def test_new_user_created_with_the_role_of_the_claim(client, settings, sso):
    settings.OIDC_CREATE_USERS = True
    settings.OIDC_ROLE_CLAIM = "groups"
    settings.OIDC_ROLE_MAP = "concord-exec=executive,concord-pm=partner_manager"
    set_identity(
        sso,
        "nina",
        email="nina@example.com",
        email_verified=True,
        given_name="Nina",
        family_name="Novak",
        groups=["staff-all", "concord-pm"],
    )
    answer = sso_sign_in(client, sso, "nina")
    assert answer.status_code == 302 and answer["Location"] == "/"
    user = get_user_model().objects.get(email="nina@example.com")
    assert signed_in_user(client) == user
    assert set(user.groups.values_list("name", flat=True)) == {PARTNER_MANAGER}
    assert not user.has_usable_password()
    assert "Nina Novak" in client.get("/partnerships/").content.decode()


def test_roles_follow_the_claim_at_each_sign_in(client, settings, sso):
    settings.OIDC_ROLE_CLAIM = "role"
    settings.OIDC_ROLE_MAP = "concord-exec=executive,concord-pm=partner_manager"
    user = make_user("pat", PARTNER_MANAGER)
    other = user.groups.create(name="Digest readers")  # not a role: left alone
    set_identity(sso, "pat", email="pat@example.com", email_verified=True, role="concord-exec")
    sso_sign_in(client, sso, "pat")
    assert set(user.groups.values_list("name", flat=True)) == {EXECUTIVE, other.name}
    client.post("/accounts/logout/")
    set_identity(sso, "pat", email="pat@example.com", email_verified=True, role="unmapped")
    sso_sign_in(client, sso, "pat")
    assert set(user.groups.values_list("name", flat=True)) == {other.name}  # a viewer
    client.post("/accounts/logout/")
    # No claim sent at all: the roles stay as they are.
    set_identity(sso, "pat", email="pat@example.com", email_verified=True)
    user.groups.add(user.groups.model.objects.get_or_create(name=VIEWER)[0])
    sso_sign_in(client, sso, "pat")
    assert set(user.groups.values_list("name", flat=True)) == {VIEWER, other.name}


def test_partner_users_keep_to_their_password(client, sso):
    from tests.factories import make_partner
    from tests.portal.conftest import make_partner_user

    profile = make_partner_user(make_partner("Globex"), name="Pia Partner")
    email = profile.user.email
    set_identity(sso, "pia", email=email, email_verified=True)
    answer = sso_sign_in(client, sso, "pia")
    assert answer.status_code == 403
    assert "Partner accounts sign in with their Concord password" in answer.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_provider_down_is_a_clear_page_not_a_500(client, settings):
    sso_settings(settings, "http://127.0.0.1:9")  # the discard port: nothing answers
    answer = client.post("/accounts/sso/sso/login/", {"next": ""})
    assert answer.status_code == 503
    text = answer.content.decode()
    assert "Acme ID is not answering just now" in text
    assert "sign in with your Concord password" in text


def test_cancelled_at_the_provider_is_a_clear_page(client, sso):
    import requests

    start = client.post("/accounts/sso/sso/login/", {"next": ""})
    denied = requests.post(start["Location"], data={"action": "deny"}, allow_redirects=False)
    back = denied.headers["Location"].split("testserver", 1)[1]
    answer = client.get(back, follow=True)
    assert answer.redirect_chain == [("/accounts/sso/cancelled/", 302)]
    assert "You cancelled signing in with your identity provider" in answer.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_unknown_provider_is_404(client, sso):
    assert client.post("/accounts/sso/other/login/").status_code == 404


def test_a_forged_callback_is_a_clear_page(client, sso):
    client.post("/accounts/sso/sso/login/", {"next": ""})
    answer = client.get("/accounts/sso/sso/login/callback/?code=made-up&state=made-up")
    assert answer.status_code == 401
    assert "Single sign-on did not finish" in answer.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_sso_pages_within_the_query_budget(client, sso, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        assert client.get("/accounts/login/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/accounts/sso/sso/login/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/accounts/sso/cancelled/").status_code == 200


def test_sso_skips_local_mfa_and_its_requirement(client, settings, sso, coo):
    from allauth.mfa.models import Authenticator

    settings.MFA_REQUIRED_ROLES = ["executive"]
    Authenticator.objects.create(user=coo, type=Authenticator.Type.TOTP, data={"secret": "x"})
    set_identity(sso, "clara-3", email="coo@example.com", email_verified=True)
    answer = sso_sign_in(client, sso, "clara-3", next_url="/partnerships/")
    assert answer["Location"] == "/partnerships/"
    assert signed_in_user(client) == coo
    assert client.get("/partnerships/").status_code == 200


def test_required_mfa_still_applies_to_a_password_sign_in(client, settings, sso, coo):
    settings.MFA_REQUIRED_ROLES = ["executive"]
    client.post("/accounts/login/", {"username": "coo", "password": "pw-for-tests-1"})
    assert client.get("/partnerships/")["Location"] == "/accounts/2fa/totp/activate/"


def test_provider_gone_before_the_callback_is_a_clear_page(client, settings, coo):
    import oidc_provider_mock
    import requests

    with oidc_provider_mock.run_server_in_thread() as server:
        issuer = f"http://localhost:{server.server_port}"
        sso_settings(settings, issuer)
        set_identity(issuer, "clara-4", email="coo@example.com", email_verified=True)
        start = client.post("/accounts/sso/sso/login/", {"next": ""})
        authorized = requests.post(
            start["Location"], data={"sub": "clara-4"}, allow_redirects=False, timeout=5
        )
    back = authorized.headers["Location"].split("testserver", 1)[1]
    answer = client.get(back)
    assert answer.status_code == 503
    assert "Acme ID is not answering just now" in answer.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_the_lockout_page_still_offers_sso(client, settings, sso, coo):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(3):
        answer = client.post("/accounts/login/", {"username": "coo", "password": "wrong"})
    assert answer.status_code == 429
    assert "Sign in with Acme ID" in answer.content.decode()
