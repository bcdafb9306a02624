"""When to try again: plain arithmetic, shown in the admin and tested with time frozen."""

from datetime import timedelta

from django.conf import settings


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base, doubled each time, capped.

    With the defaults: 1, 2, 4, 8, 16, 32 minutes, then every hour until the message gives up.
    """
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    cap = settings.OUTBOX_RETRY_MAX_SECONDS
    exponent = max(attempts - 1, 0)
    # Past 2**20 the cap has long won; stop the exponent from growing without bound.
    return timedelta(seconds=min(base * 2 ** min(exponent, 20), cap))


def give_up_after() -> timedelta:
    return timedelta(hours=settings.OUTBOX_GIVE_UP_HOURS)


def lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
