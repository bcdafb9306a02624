"""When a recipient's digest is due, and which days it covers. Plain values in, plain values out.

A digest belongs to the ISO week of its send day (in the recipient's time zone) and covers the
days before it: the 7 days before for weekly recipients; since the previous monthly digest for
recipients who have been away (they get one in the first week of each month only).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class DigestSchedule:
    week: str  # "2026-W47"
    send_date: date  # local send day; the period ends the midnight that starts it
    scheduled_at: datetime  # aware, in the recipient's zone
    period_start: date
    monthly: bool

    @property
    def period_end(self):
        return self.send_date

    @property
    def tz(self):
        return self.scheduled_at.tzinfo

    def bounds(self):
        """(week_start, week_end) as aware datetimes at local midnight, for section builders."""
        return (
            datetime.combine(self.period_start, time(0), tzinfo=self.tz),
            datetime.combine(self.period_end, time(0), tzinfo=self.tz),
        )


def period_label(start, end_exclusive):
    end = end_exclusive - timedelta(days=1)
    if start.year != end.year:
        return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"
    if start.month != end.month:
        return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
    return f"{start.day}–{end.day} {end:%b %Y}"


def iso_week_key(day):
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_iso_week(value):
    """The Monday of an ISO week written like 2026-W47; ValueError if it is not one."""
    match = WEEK_RE.match(value or "")
    if not match:
        raise ValueError(f"“{value}” is not an ISO week; write it like 2026-W47.")
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise ValueError(f"{value} does not exist.") from None


def is_inactive(*, last_active, on, inactive_days):
    return last_active is not None and (on - last_active).days > inactive_days


def previous_monthly_date(send_date):
    # The first-week send of the month before is 4 or 5 weeks earlier on the same weekday.
    start = send_date - timedelta(weeks=4)
    return start if start.day <= 7 else send_date - timedelta(weeks=5)


def schedule_for_week(
    monday, *, weekday, send_time, tz, last_active, inactive_days, force_weekly=False
):
    """The digest of the ISO week starting ``monday``, or None if none is due that week.

    A recipient inactive for more than ``inactive_days`` only gets a digest when the send day is
    in the first seven days of a month, and it covers the whole time since the last one.
    """
    tz = ZoneInfo(tz) if isinstance(tz, str) else tz
    send_date = monday + timedelta(days=weekday)
    monthly = not force_weekly and is_inactive(
        last_active=last_active, on=send_date, inactive_days=inactive_days
    )
    if monthly and send_date.day > 7:
        return None
    return DigestSchedule(
        week=iso_week_key(send_date),
        send_date=send_date,
        scheduled_at=datetime.combine(send_date, send_time, tzinfo=tz),
        period_start=previous_monthly_date(send_date) if monthly else send_date - timedelta(7),
        monthly=monthly,
    )


def due_schedule(*, now, weekday, send_time, tz, last_active, inactive_days, catch_up_hours):
    """This week's digest if its local send moment has come (within the catch-up window).

    The window lets a missed hourly beat (a deploy, an outage) still send later the same day;
    the record per (recipient, week) makes every later run within it a no-op.
    """
    tz = ZoneInfo(tz) if isinstance(tz, str) else tz
    local_now = now.astimezone(tz)
    monday = local_now.date() - timedelta(days=local_now.weekday())
    schedule = schedule_for_week(
        monday,
        weekday=weekday,
        send_time=send_time,
        tz=tz,
        last_active=last_active,
        inactive_days=inactive_days,
    )
    if schedule is None:
        return None
    scheduled = schedule.scheduled_at
    if scheduled <= local_now < scheduled + timedelta(hours=catch_up_hours):
        return schedule
    return None


def next_schedule(*, now, weekday, send_time, tz, last_active, inactive_days, max_weeks=6):
    """The next digest still to come (for the preview), skipping weeks with none due."""
    tz = ZoneInfo(tz) if isinstance(tz, str) else tz
    local_now = now.astimezone(tz)
    monday = local_now.date() - timedelta(days=local_now.weekday())
    for week in range(max_weeks):
        schedule = schedule_for_week(
            monday + timedelta(weeks=week),
            weekday=weekday,
            send_time=send_time,
            tz=tz,
            last_active=last_active,
            inactive_days=inactive_days,
        )
        if schedule is not None and schedule.scheduled_at > local_now:
            return schedule
    return None
