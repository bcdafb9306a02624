"""Preferences, follows, preview, view in browser and unsubscribe pages, with permissions."""

import re
from datetime import date, time

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from digests import services
from digests.building import unsubscribe_token
from digests.models import DeliveryStatus, Digest, DigestPreference, Follow
from digests.selectors import followed_partnership_ids
from partnerships.models import Stage
from tests.conftest import client_for
from tests.digests.helpers import prefer
from tests.factories import make_partnership

pytestmark = pytest.mark.django_db

PREFS = reverse("digests:preferences")


def test_preferences_page_for_each_role(client, coo, manager, viewer, other_manager, partnership):
    hidden = make_partnership(title="Executive-only alliance")
    for user, sees_hidden in ((coo, True), (manager, False), (viewer, False)):
        client.force_login(user)
        response = client.get(PREFS)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Joint analytics offering" in html
        assert ("Executive-only alliance" in html) is sees_hidden
        assert "Every Monday at 07:00 (Europe/London)" in html
    assert hidden.pk in followed_partnership_ids(coo)
    client.force_login(other_manager)
    html = client.get(PREFS).content.decode()
    assert "No partnerships to follow yet." in html
    assert 'You follow <strong id="follow-count">0</strong> partnerships' in html


def test_anonymous_is_sent_to_login(client):
    response = client.get(PREFS)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_saving_preferences(client, manager, partnership):
    client_for(client, manager)
    response = client.post(
        PREFS,
        {
            "enabled": "on",
            "weekday": "4",
            "send_time": "16:30",
            "time_zone": "America/New_York",
            "reminders_enabled": "",
        },
    )
    assert response.status_code == 302
    preference = DigestPreference.objects.get(user=manager)
    assert (preference.weekday, preference.send_time, preference.time_zone) == (
        4,
        time(16, 30),
        "America/New_York",
    )
    assert preference.enabled and not preference.reminders_enabled
    html = client.get(PREFS).content.decode()
    assert "Every Friday at 16:30 (America/New_York)" in html
    assert "Digest preferences saved." in html


def test_invalid_preferences_show_errors_in_the_form(client, manager):
    client_for(client, manager)
    response = client.post(
        PREFS, {"weekday": "9", "send_time": "25:00", "time_zone": "Mars/Olympus_Mons"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Please correct the fields marked below." in html
    assert html.count('class="field has-error"') == 3
    # Logging in records "last seen"; nothing from the invalid form was stored.
    stored = DigestPreference.objects.filter(user=manager)
    assert not stored.exclude(weekday=0, time_zone=settings.TIME_ZONE).exists()


def test_time_zone_is_validated_on_the_model():
    from django.core.exceptions import ValidationError

    from digests.models import validate_time_zone

    validate_time_zone("Asia/Kolkata")
    for bad in ("Mars/Olympus", "", "../etc/passwd"):
        with pytest.raises(ValidationError):
            validate_time_zone(bad)


def test_follow_and_unfollow_with_htmx(client, coo, partnership):
    client_for(client, coo)
    url = reverse("digests:follow", args=[partnership.pk])
    response = client.post(url, {"action": "unfollow"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<tr id="follow-{partnership.pk}">')
    assert "Not following" in html and "your choice" in html
    assert '<strong id="follow-count" data-hx-swap-oob="true">0</strong>' in html
    assert partnership.pk not in followed_partnership_ids(coo)

    client.post(url, {"action": "follow"}, headers={"HX-Request": "true"})
    assert Follow.objects.get(user=coo, partnership=partnership).following
    response = client.post(url, {"action": "default"}, headers={"HX-Request": "true"})
    assert "default" in response.content.decode()
    assert not Follow.objects.filter(user=coo).exists()
    assert partnership.pk in followed_partnership_ids(coo)


def test_follow_without_javascript_redirects_back(client, viewer, partnership):
    client_for(client, viewer)
    url = reverse("digests:follow", args=[partnership.pk])
    response = client.post(url, {"action": "unfollow", "next": f"{PREFS}?page=1"})
    assert response.status_code == 302 and response["Location"] == f"{PREFS}?page=1"
    assert "You no longer follow Joint analytics offering." in client.get(PREFS).content.decode()
    # An outside "next" is ignored.
    response = client.post(url, {"action": "follow", "next": "https://evil.example/"})
    assert response["Location"] == PREFS


def test_follow_permissions(client, other_manager, viewer, partnership):
    url = reverse("digests:follow", args=[partnership.pk])
    client_for(client, other_manager)
    assert client.post(url, {"action": "follow"}).status_code == 404  # cannot see it
    assert not Follow.objects.exists()
    client_for(client, viewer)  # following is the viewer's own choice, not an edit
    assert client.post(url, {"action": "nonsense"}).status_code == 400
    assert client.get(url).status_code == 405


def test_ended_partnerships_are_not_followed_unless_chosen(client, coo):
    ended = make_partnership(title="Transformation advisory", stage=Stage.ENDED)
    assert ended.pk not in followed_partnership_ids(coo)
    client_for(client, coo)
    assert "ended: not followed unless you choose" in client.get(PREFS).content.decode()
    services.follow_set(user=coo, partnership=ended, following=True)
    assert ended.pk in followed_partnership_ids(coo)


def test_follow_list_search_and_pagination(client, coo):
    for i in range(30):
        make_partnership(title=f"Alliance {i:02d}")
    client_for(client, coo)
    html = client.get(PREFS).content.decode()
    assert "Alliance 24" in html and "Alliance 25" not in html
    response = client.get(PREFS, {"page": 2}, headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="follows-results">')
    assert "Alliance 25" in fragment and "<html" not in fragment
    html = client.get(PREFS, {"q": "alliance 07"}).content.decode()
    assert "Alliance 07" in html and "Alliance 08" not in html
    assert "No partnership matches" in client.get(PREFS, {"q": "zzz"}).content.decode()


def test_preview_of_next_weeks_digest(client, coo, partnership, time_machine):
    time_machine.move_to("2026-11-25 10:00:00+00:00", tick=False)
    prefer(coo, time_zone="America/New_York")
    client_for(client, coo)
    response = client.get(reverse("digests:preview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Due Monday 30 November, 07:00 (America/New_York)" in html
    assert "23–29 Nov 2026" in html
    assert "Joint analytics offering" in html
    assert "Unsubscribe" not in html  # no link to act on from the preview


def test_preview_when_following_nothing_or_turned_off(client, other_manager):
    client_for(client, other_manager)
    prefer(other_manager, enabled=False)
    html = client.get(reverse("digests:preview")).content.decode()
    assert "You follow no partnerships." in html
    assert "Your digest is off" in html


def _sent_digest(user):
    return Digest.objects.create(
        user=user,
        week="2026-W47",
        period_start=date(2026, 11, 9),
        period_end=date(2026, 11, 16),
        status=DeliveryStatus.SENT,
        subject="Concord digest, 9–15 Nov 2026",
        html_body="<!doctype html><html><body><p>The digest as sent</p></body></html>",
        text_body="The digest as sent",
    )


def test_view_in_browser_only_for_the_recipient(client, coo, manager):
    digest = _sent_digest(manager)
    url = reverse("digests:digest_detail", args=[digest.pk])
    assert client.get(url).status_code == 302  # login required
    client_for(client, coo)
    assert client.get(url).status_code == 404  # not even an executive reads someone's mail
    client_for(client, manager)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode() == digest.html_body
    assert digest.subject in client.get(PREFS).content.decode()  # listed as a recent digest
    Digest.objects.filter(pk=digest.pk).update(status=DeliveryStatus.PENDING)
    assert client.get(url).status_code == 404


def test_unsubscribe_link_needs_no_login_and_confirms(coo):
    client = Client()
    url = reverse("digests:unsubscribe", args=[unsubscribe_token(coo)])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unsubscribe from the weekly digest?" in html and coo.email in html
    assert DigestPreference.objects.filter(user=coo).count() == 0  # a GET changes nothing
    response = client.post(url)
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert DigestPreference.objects.get(user=coo).enabled is False


def test_one_click_unsubscribe_from_a_mail_client(coo):
    client = Client(enforce_csrf_checks=True)
    url = reverse("digests:unsubscribe", args=[unsubscribe_token(coo)])
    response = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert DigestPreference.objects.get(user=coo).enabled is False


def test_tampered_unsubscribe_link_is_refused(coo, manager):
    token = unsubscribe_token(coo)
    forged = re.sub(r"^[^:]+", "Mg", token)  # someone else's id with coo's signature
    for bad in (forged, "nonsense", token[:-2] + "xx"):
        response = Client().post(reverse("digests:unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    assert not DigestPreference.objects.exists()


def test_resubscribe_from_preferences(client, coo):
    services.preference_unsubscribe(user=coo)
    client_for(client, coo)
    assert "The weekly digest is off" in client.get(PREFS).content.decode()
    client.post(
        PREFS,
        {"enabled": "on", "weekday": "0", "send_time": "07:00", "time_zone": "Europe/London"},
    )
    assert DigestPreference.objects.get(user=coo).enabled


MIDDLEWARE_WITH_LAST_SEEN = [*settings.MIDDLEWARE, "digests.middleware.LastSeenMiddleware"]


@override_settings(MIDDLEWARE=MIDDLEWARE_WITH_LAST_SEEN)
def test_last_seen_is_recorded_at_most_once_a_day(client, viewer, partnership, time_machine):
    time_machine.move_to("2026-11-23 09:00:00+00:00", tick=False)
    client_for(client, viewer)
    client.get(PREFS)
    assert DigestPreference.objects.get(user=viewer).last_seen_on == date(2026, 11, 23)
    DigestPreference.objects.filter(user=viewer).update(last_seen_on=date(2026, 1, 1))
    client.get(PREFS)  # same day, same session: no write
    assert DigestPreference.objects.get(user=viewer).last_seen_on == date(2026, 1, 1)
    time_machine.move_to("2026-11-24 09:00:00+00:00", tick=False)
    client.get(PREFS)
    assert DigestPreference.objects.get(user=viewer).last_seen_on == date(2026, 11, 24)


def test_nav_entry(client, viewer):
    client_for(client, viewer)
    html = client.get(PREFS).content.decode()
    assert f'<a href="{PREFS}" aria-current="page">Digest</a>' in html


def test_logging_in_marks_the_user_seen_and_the_first_page_writes_nothing_more(client, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    assert client.login(username=manager.username, password="pw-for-tests-1")
    assert DigestPreference.objects.get(user=manager).last_seen_on == timezone.localdate()
    with CaptureQueriesContext(connection) as captured:
        client.get(PREFS)
    writes = [q["sql"] for q in captured if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert not any("digestpreference" in sql for sql in writes)
