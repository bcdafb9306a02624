"""The signed-in user comes with their roles and digest preferences in one query, and sessions
are read from the cache, falling back to the database."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

from config.auth import UserBackend, user_with_roles, user_with_roles_reference
from config.sessions import CACHED_FOR, SessionStore
from digests import services
from digests.models import DigestPreference
from partnerships.cache import TolerantCache
from partnerships.roles import is_executive, is_manager, role_label
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_user_comes_with_roles_and_preferences_in_one_query(django_assert_num_queries):
    user = make_user("both", "Executive")
    user.groups.add(Group.objects.get_or_create(name="Partner manager")[0])
    DigestPreference.objects.create(user=user, weekday=2)
    with django_assert_num_queries(1):
        loaded = UserBackend().get_user(user.pk)
        assert is_executive(loaded) and is_manager(loaded)
        assert loaded.digest_preference.weekday == 2


def test_a_user_without_groups_or_preferences(django_assert_num_queries):
    user = make_user("plain")
    with django_assert_num_queries(1):
        loaded = UserBackend().get_user(user.pk)
        assert role_label(loaded) == "Viewer"
        with pytest.raises(DigestPreference.DoesNotExist):
            loaded.digest_preference  # noqa: B018  (known to be missing: no query)


def test_inactive_and_missing_users_are_not_loaded():
    user = make_user("gone", "Executive", is_active=False)
    assert UserBackend().get_user(user.pk) is None
    assert UserBackend().get_user(10**9) is None


def _as_loaded(user):
    """What a loaded user holds: its fields, its groups' names, and its cached preference
    (absent, known missing, or its fields and whether it points back at the user)."""
    if user is None:
        return None
    fields = {f.attname: getattr(user, f.attname) for f in user._meta.concrete_fields}
    cache = user._state.fields_cache
    preference = cache.get("digest_preference", "not read")
    if preference not in (None, "not read"):
        back = preference._state.fields_cache.get("user")
        preference = (
            {f.attname: getattr(preference, f.attname) for f in preference._meta.concrete_fields},
            back is user,
            preference._state.db,
            preference._state.adding,
        )
    names = sorted((user.role_group_names or "").split("\x1f"))
    return type(user), fields, names, preference, user._state.db, user._state.adding


def test_the_one_statement_loads_what_the_orm_loads():
    manager = Group.objects.get_or_create(name="Partner manager")[0]
    odd = Group.objects.create(name="Ünïcode, 'quoted' % group")
    both = make_user("both", "Executive", first_name="Zoë", last_name="d’Arc")
    both.groups.add(manager, odd)
    DigestPreference.objects.create(user=both, weekday=3, reminders_enabled=False)
    plain = make_user("plain")
    gone = make_user("gone", "Partner manager", is_active=False)
    DigestPreference.objects.create(user=gone)
    for pk in (both.pk, plain.pk, gone.pk, 10**9, str(plain.pk)):
        assert _as_loaded(user_with_roles(pk)) == _as_loaded(user_with_roles_reference(pk)), pk


def test_marking_the_user_seen_keeps_the_loaded_preferences_current():
    user = make_user("seen")
    loaded = UserBackend().get_user(user.pk)  # no preferences yet: known missing
    services.preference_touch_last_seen(user=loaded, today=date(2026, 11, 30))
    assert loaded.digest_preference.last_seen_on == date(2026, 11, 30)
    loaded = UserBackend().get_user(user.pk)  # now loaded with them
    services.preference_touch_last_seen(user=loaded, today=date(2026, 12, 1))
    assert loaded.digest_preference.last_seen_on == date(2026, 12, 1)


def test_a_page_reads_its_session_from_the_cache_then_from_the_database(client, coo):
    client.force_login(coo)
    url = reverse("digests:preferences")
    assert client.get(url).status_code == 200
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()  # written through
    cache.clear()  # a flushed cache loses no one's session
    response = client.get(url)
    assert response.status_code == 200 and response.wsgi_request.user == coo


def test_signing_in_works_while_the_cache_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    make_user("down", "Executive")
    response = client.post(
        reverse("login"), {"username": "down", "password": "pw-for-tests-1"}, follow=True
    )
    assert response.wsgi_request.user.username == "down"
    assert client.get(reverse("digests:preferences")).status_code == 200


def test_a_session_stays_in_the_cache_five_minutes_at_most():
    written = {}

    class Recorder:
        def set(self, key, value, timeout=None):
            written[key] = timeout

    tolerant = TolerantCache(Recorder(), max_timeout=CACHED_FOR)
    tolerant.set("two weeks", "data", 14 * 24 * 3600)
    tolerant.set("a minute", "data", 60)
    tolerant.set("default", "data")
    assert written == {"two weeks": 300, "a minute": 60, "default": 300}
    assert SessionStore()._cache._max_timeout == CACHED_FOR == 300
