"""The day a recipient was last active, which decides weekly or monthly digests
(digests/selectors.py ``last_active_on``): the later of the last page seen and the last login,
in the site's time zone, or the day they joined."""

from datetime import UTC, date, datetime

from django.contrib.auth import get_user_model

from digests.models import DigestPreference
from digests.selectors import last_active_on

JOINED = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)


def user(last_login=None, date_joined=JOINED):
    return get_user_model()(username="reader", last_login=last_login, date_joined=date_joined)


def test_the_later_of_page_seen_and_login_counts():
    seen_later = DigestPreference(last_seen_on=date(2026, 3, 5))
    assert last_active_on(user(datetime(2026, 3, 1, 9, tzinfo=UTC)), seen_later) == date(2026, 3, 5)
    seen_earlier = DigestPreference(last_seen_on=date(2026, 2, 1))
    login = datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert last_active_on(user(login), seen_earlier) == date(2026, 3, 1)


def test_only_one_of_them_known():
    assert last_active_on(user(), DigestPreference(last_seen_on=date(2026, 3, 5))) == date(
        2026, 3, 5
    )
    login = datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert last_active_on(user(login), DigestPreference()) == date(2026, 3, 1)


def test_a_login_counts_on_the_local_day():
    # 23:30 UTC on 30 June is already 1 July in London (summer time).
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    assert last_active_on(user(late), DigestPreference()) == date(2026, 7, 1)


def test_never_seen_nor_logged_in_counts_from_the_day_joined():
    assert last_active_on(user(), DigestPreference()) == date(2025, 1, 10)
    joined_late = datetime(2025, 7, 10, 23, 30, tzinfo=UTC)
    assert last_active_on(user(date_joined=joined_late), DigestPreference()) == date(2025, 7, 11)
