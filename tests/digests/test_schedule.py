"""When digests are due: plain functions, no database."""

from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import ImproperlyConfigured

from digests.schedule import (
    due_schedule,
    iso_week_key,
    next_schedule,
    parse_iso_week,
    previous_monthly_date,
    schedule_for_week,
)

WEEKLY = {"weekday": 0, "send_time": time(7), "inactive_days": 30, "catch_up_hours": 12}


def due(now, tz="Europe/London", last_active=date(2026, 11, 20), **overrides):
    return due_schedule(now=now, tz=tz, last_active=last_active, **{**WEEKLY, **overrides})


def test_due_from_the_local_send_time_for_the_catch_up_window():
    assert due(datetime(2026, 11, 23, 6, 59, tzinfo=UTC)) is None
    schedule = due(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    assert schedule.week == "2026-W48"
    assert (schedule.period_start, schedule.period_end) == (date(2026, 11, 16), date(2026, 11, 23))
    assert due(datetime(2026, 11, 23, 18, 59, tzinfo=UTC)) is not None
    assert due(datetime(2026, 11, 23, 19, 0, tzinfo=UTC)) is None
    assert due(datetime(2026, 11, 24, 7, 0, tzinfo=UTC)) is None  # Tuesday


def test_due_in_new_york_and_across_daylight_saving():
    ny = "America/New_York"
    assert due(datetime(2026, 11, 23, 11, 59, tzinfo=UTC), tz=ny) is None
    assert due(datetime(2026, 11, 23, 12, 0, tzinfo=UTC), tz=ny).week == "2026-W48"
    # In summer New York is UTC-4, so 07:00 there is 11:00 UTC.
    assert due(datetime(2026, 6, 1, 10, 59, tzinfo=UTC), tz=ny) is None
    assert due(datetime(2026, 6, 1, 11, 0, tzinfo=UTC), tz=ny) is not None


def test_far_east_recipient_gets_monday_while_it_is_still_sunday_in_utc():
    schedule = due(datetime(2026, 11, 22, 22, 30, tzinfo=UTC), tz="Pacific/Auckland")
    assert schedule is not None and schedule.send_date == date(2026, 11, 23)
    week_start, week_end = schedule.bounds()
    assert week_end.utcoffset().total_seconds() == 13 * 3600


def test_inactive_recipient_monthly_in_the_first_week():
    away = date(2026, 10, 1)
    assert due(datetime(2026, 11, 23, 7, 5, tzinfo=UTC), last_active=away) is None
    first_week = due(datetime(2026, 12, 7, 7, 5, tzinfo=UTC), last_active=away)
    assert first_week.monthly and first_week.period_start == date(2026, 11, 2)
    assert due(datetime(2026, 12, 7, 7, 5, tzinfo=UTC)).monthly is False  # recently active


def test_previous_monthly_date():
    assert previous_monthly_date(date(2026, 12, 7)) == date(2026, 11, 2)  # 5 weeks
    assert previous_monthly_date(date(2026, 12, 1)) == date(2026, 11, 3)  # 4 weeks
    assert previous_monthly_date(date(2027, 3, 1)) == date(2027, 2, 1)


def test_forced_weekly_ignores_inactivity():
    schedule = schedule_for_week(
        date(2026, 11, 23), weekday=0, send_time=time(7), tz="UTC",
        last_active=date(2020, 1, 1), inactive_days=30, force_weekly=True,
    )  # fmt: skip
    assert schedule is not None and not schedule.monthly


def test_next_schedule_for_the_preview():
    kwargs = {"weekday": 0, "send_time": time(7), "tz": "Europe/London", "inactive_days": 30}
    on_monday_before = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    assert next_schedule(now=on_monday_before, last_active=date(2026, 11, 20), **kwargs).week == (
        "2026-W48"
    )
    after = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert next_schedule(now=after, last_active=date(2026, 11, 20), **kwargs).week == "2026-W49"
    monthly = next_schedule(now=after, last_active=date(2026, 9, 1), **kwargs)
    assert monthly.send_date == date(2026, 12, 7) and monthly.monthly


def test_iso_weeks():
    assert parse_iso_week("2026-W47") == date(2026, 11, 16)
    assert iso_week_key(date(2027, 1, 1)) == "2026-W53"
    for bad in ("2026-47", "2026-W54", "", "W47"):
        with pytest.raises(ValueError):
            parse_iso_week(bad)


def test_beat_schedule_and_env_crontabs(db, settings, monkeypatch):
    from celery.schedules import crontab

    from config import celery_app
    from config import settings as config_settings

    celery_app.loader.import_default_modules()  # what a worker or beat does at start
    fan_out = settings.CELERY_BEAT_SCHEDULE["digests-fan-out"]
    reminders = settings.CELERY_BEAT_SCHEDULE["digests-date-reminders"]
    assert fan_out["task"] == "digests.fan_out_digests" and fan_out["task"] in celery_app.tasks
    assert reminders["task"] == "digests.send_date_reminders"
    assert reminders["task"] in celery_app.tasks
    assert fan_out["schedule"] == crontab(minute="5")
    assert reminders["schedule"] == crontab(minute="30", hour="6")
    monkeypatch.setenv("SCHEDULE_TEST", "0 6 * * 1-5")
    assert config_settings.schedule("SCHEDULE_TEST", "5 * * * *") == crontab(
        minute="0", hour="6", day_of_week="1-5"
    )
    monkeypatch.setenv("SCHEDULE_TEST", "every hour")
    with pytest.raises(ImproperlyConfigured, match="SCHEDULE_TEST must be a crontab string"):
        config_settings.schedule("SCHEDULE_TEST", "5 * * * *")
