"""Writes are checked by role and scope in partnerships/access.py, and every ``next=`` goes
through partnerships/redirects.py."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from partnerships import access
from partnerships.forms import PartnershipForm
from partnerships.redirects import is_safe_next
from tests.factories import make_user
from tests.kpis.test_views import url, world  # noqa: F401  (the alert world fixture)

# Acknowledgement ------------------------------------------------------------------------------


def test_a_viewer_made_owner_cannot_acknowledge(client, world, viewer):  # noqa: F811
    partnership = world["partnership"]
    partnership.owner = viewer
    partnership.save()
    client.force_login(viewer)
    response = client.post(url("kpis:alert_acknowledge", world, "alert"), {"comment": "On it."})
    assert response.status_code == 403
    panel = client.post(
        reverse("kpis:panel_acknowledge", args=[world["alert"].pk]), {"comment": "On it."}
    )
    assert panel.status_code == 403
    world["alert"].refresh_from_db()
    assert world["alert"].state == "open"
    # Nor is the button offered.
    page = client.get(world["alert"].get_absolute_url()).content.decode()
    assert "Acknowledge" not in page or 'name="comment"' not in page


@pytest.mark.parametrize(
    ("role", "owner", "allowed"),
    [
        ("Executive", False, True),
        ("Partner manager", True, True),
        ("Partner manager", False, False),
        ("Viewer", True, False),
        ("Partner user", True, False),
    ],
)
def test_acknowledging_needs_a_role_that_may_own(partnership, role, owner, allowed):
    user = make_user(role=role)
    if owner:
        partnership.owner = user
    assert access.can_acknowledge_alerts(user, partnership) is allowed


def test_partner_access_is_managed_by_owners_with_a_role_only(partnership, viewer, manager):
    assert access.can_manage_partner_access(manager, partnership)
    partnership.owner = viewer
    assert not access.can_manage_partner_access(viewer, partnership)


# The owner picker ----------------------------------------------------------------------------


def test_the_owner_picker_offers_only_people_who_may_own(coo, manager, viewer):
    partner_user = make_user("pia", "Partner user")
    partner_user.groups.add(*manager.groups.all())  # even holding a manager's group too
    offered = set(PartnershipForm().fields["owner"].queryset)
    assert {coo, manager} <= offered
    assert viewer not in offered and partner_user not in offered


def test_posting_a_viewer_as_owner_is_a_clear_error(client, coo, viewer, partner):
    client.force_login(coo)
    data = {"partner": partner.pk, "title": "Viewer-owned", "type": "technology"}
    response = client.post(reverse("partnerships:create"), {**data, "owner": viewer.pk})
    assert response.status_code in (200, 422)
    assert "Only an executive or a partner manager can own a partnership" in response.text


# next= ----------------------------------------------------------------------------------------

OUTSIDE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "/ok\r\nLocation: https://evil.example/",
    "/ok\x00",
    "relative/path",
]


@pytest.mark.parametrize("target", OUTSIDE)
def test_unsafe_next_values_are_refused(target):
    request = RequestFactory().get("/")
    assert not is_safe_next(target, request)


def test_a_path_on_this_site_is_followed():
    request = RequestFactory().get("/")
    assert is_safe_next("/kpis/alerts/?page=2#row-3", request)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_the_acknowledge_form_never_leaves_the_site(client, world, coo, target):  # noqa: F811
    client.force_login(coo)
    response = client.post(
        url("kpis:alert_acknowledge", world, "alert"), {"comment": "On it.", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == world["alert"].get_absolute_url()


def test_the_acknowledge_form_follows_a_local_next(client, world, coo):  # noqa: F811
    client.force_login(coo)
    back = reverse("kpis:alert_inbox") + "?page=1"
    response = client.post(
        url("kpis:alert_acknowledge", world, "alert"), {"comment": "On it.", "next": back}
    )
    assert response["Location"] == back


def test_sign_in_never_sends_anyone_off_site(client, manager):
    response = client.post(
        reverse("login") + "?next=https://evil.example/",
        {"username": "manager", "password": "pw-for-tests-1", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and "evil.example" not in response["Location"]


def test_every_next_in_the_code_goes_through_the_helper():
    """No view reads ``next`` itself: the helper is the one place that decides."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    readers = []
    for path in root.glob("*/**/*.py"):
        if (
            path.parts[len(root.parts)] in ("tests", ".venv", "benchmarks")
            or "mutants" in path.parts
        ):
            continue
        text = path.read_text()
        if 'get("next"' in text or "get('next'" in text or '["next"]' in text:
            readers.append(str(path.relative_to(root)))
    assert readers == ["partnerships/redirects.py"], readers
