"""Password guessing is throttled (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for
one username, or from one address, even the right password is refused for a while, with a
message on the sign-in page; staff unlock early from the admin."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import make_user
from tests.portal.conftest import make_partner_user

PASSWORD = "pw-for-tests-1"  # tests.factories


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_twenty_five_wrong_passwords_then_the_right_one_is_refused(client, manager):
    answers = [sign_in(client, "manager", f"guess-{n}").status_code for n in range(25)]
    assert answers[:4] == [200] * 4  # the form again, "do not match"
    assert set(answers[5:]) == {429}
    response = sign_in(client, "manager", PASSWORD)
    assert response.status_code == 429 and not signed_in(client)
    text = response.content.decode()
    assert "Too many failed sign-ins" in text and "15 minutes" in text
    assert 'name="password"' in text  # still the sign-in page, not a bare error


@pytest.mark.django_db
def test_the_portal_sign_in_is_throttled_too(client, partner, partnership):
    profile = make_partner_user(partner, partnership, name="Pia Partner", username="pia")
    for n in range(25):
        sign_in(client, "pia", f"guess-{n}")
    assert sign_in(client, "pia", PASSWORD).status_code == 429
    assert not signed_in(client)
    assert profile.user.username == "pia"


@pytest.mark.django_db
def test_locked_per_username_whatever_the_address(client, manager):
    for n in range(5):
        sign_in(client, "manager", f"guess-{n}", address=f"198.51.100.{n}")
    assert sign_in(client, "manager", PASSWORD, address="192.0.2.50").status_code == 429


@pytest.mark.django_db
def test_locked_per_address_whatever_the_username(client, manager, viewer):
    for n in range(5):
        sign_in(client, f"nobody-{n}", "guess")
    assert sign_in(client, "viewer", PASSWORD).status_code == 429
    # Another address signs in as usual.
    assert sign_in(client, "viewer", PASSWORD, address="192.0.2.99").status_code == 302


@pytest.mark.django_db
def test_the_lock_lifts_after_the_cool_off(client, manager, clock):
    for n in range(5):
        sign_in(client, "manager", f"guess-{n}")
    assert sign_in(client, "manager", PASSWORD).status_code == 429
    clock.shift(timedelta(minutes=16))
    assert sign_in(client, "manager", PASSWORD).status_code == 302 and signed_in(client)


@pytest.mark.django_db
def test_a_few_mistakes_then_the_right_password_signs_in_and_resets(client, manager):
    for n in range(4):
        sign_in(client, "manager", f"guess-{n}")
    assert sign_in(client, "manager", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="manager").exists()


@pytest.mark.django_db
def test_staff_unlock_from_the_admin(client, manager):
    for n in range(5):
        sign_in(client, "manager", f"guess-{n}")
    assert sign_in(client, "manager", PASSWORD).status_code == 429
    admin = make_user("admin", is_staff=True, is_superuser=True)
    staff = client.__class__()
    staff.force_login(admin)
    listing = staff.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "manager" in listing.content.decode()
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    staff.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, "manager", PASSWORD).status_code == 302 and signed_in(client)
