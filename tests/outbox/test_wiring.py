"""The outbox as the rest of Concord sees it: its beat entry and its task."""

from celery.schedules import crontab
from django.conf import settings

from config import celery_app


def test_beat_sweeps_the_outbox_every_minute():
    import outbox.tasks  # noqa: F401  (a worker imports every app's tasks at start)

    entry = settings.CELERY_BEAT_SCHEDULE["outbox-deliver"]
    assert entry["task"] == "outbox.deliver" and entry["task"] in celery_app.tasks
    assert entry["schedule"] == crontab(minute="*")


def test_the_defaults_retry_for_two_days_and_lease_for_minutes():
    assert settings.OUTBOX_GIVE_UP_HOURS == 48
    assert settings.OUTBOX_RETRY_BASE_SECONDS == 60
    assert settings.OUTBOX_RETRY_MAX_SECONDS == 3600
    # The lease must outlast the slowest single send (the SMTP timeout) many times over.
    assert settings.OUTBOX_LEASE_SECONDS >= 10 * 10
