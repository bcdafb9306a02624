"""Which digest a recipient gets for a week, and the sentence that says why it covers what it
does. The preview page, the management command (dry run or not) and the hourly send all ask
here, so for one recipient and one week they build the same digest over the same days.

Without a week, "the digest" is the recipient's next one still to come, in their own time zone:
the one the preview shows and the one a dry run prints.
"""

from django.conf import settings
from django.utils import timezone

from .schedule import next_schedule, period_label, schedule_for_week
from .selectors import last_active_on, preference_for

DAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


def digest_schedule(user, *, monday=None, now=None, force_weekly=False):
    """The recipient's DigestSchedule for the ISO week starting ``monday``, or their next one
    after ``now`` when no week is given; None when none is due (away, not a first week)."""
    preference = preference_for(user)
    options = {
        "weekday": preference.weekday,
        "send_time": preference.send_time,
        "tz": preference.time_zone,
        "last_active": last_active_on(user, preference),
        "inactive_days": settings.DIGEST_INACTIVE_DAYS,
    }
    if monday is None:
        return next_schedule(now=now or timezone.now(), **options)
    return schedule_for_week(monday, force_weekly=force_weekly, **options)


def window_reason(schedule):
    """Why the digest covers the days it does, in one sentence (no query: the schedule
    carries the recipient's send day, time and zone)."""
    rhythm = (
        f"{DAY_NAMES[schedule.send_date.weekday()]} at {schedule.scheduled_at:%H:%M} "
        f"({schedule.tz})"
    )
    if schedule.monthly:
        return (
            f"Monthly while you are away (not seen in Concord for over "
            f"{settings.DIGEST_INACTIVE_DAYS} days): sent in the first week of each month, "
            f"{rhythm}, covering the time since the previous one."
        )
    return f"Sent {rhythm}, covering the 7 days before the send day."


def window_line(schedule):
    """ "30 Nov – 6 Dec 2026. Sent Mondays at 07:00 (Europe/Stockholm), covering …" """
    period = period_label(schedule.period_start, schedule.period_end)
    return f"{period}. {window_reason(schedule)}"
