"""Writes: preferences, follows, and the claim-then-send of digests and reminders.

Every send is claimed first with a conditional UPDATE (pending -> sending), so a repeated beat,
a retried task or two workers racing each other send a given digest or reminder at most once.
A failed SMTP send puts the record back to pending with the error (the Celery task retries it
with backoff) or, on the last attempt, to failed.

What records digests or reminders to send takes ``send``, called with each new record's id
after commit: the Celery tasks pass their own send task's ``delay`` (tasks import services,
never the reverse); without it, each is sent from this process after commit.
"""

from datetime import datetime, timedelta
from smtplib import SMTPException
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Partnership

from .building import absolute, build_digest, offsets_phrase, render_digest, render_email
from .dates import upcoming_dates
from .models import DeliveryStatus, Digest, DigestPreference, Follow, Reminder
from .schedule import DigestSchedule, due_schedule, schedule_for_week
from .selectors import digest_candidates, executives, last_active_on, preference_for

TRANSIENT_ERRORS = (SMTPException, OSError)


# Preferences and follows ---------------------------------------------------------------------


def preference_save(*, user, **fields):
    preference, _ = DigestPreference.objects.update_or_create(user=user, defaults=fields)
    return preference


def preference_unsubscribe(*, user):
    return preference_save(user=user, enabled=False)


def preference_touch_last_seen(*, user, today=None):
    today = today or timezone.localdate()
    updated = DigestPreference.objects.filter(user=user).update(last_seen_on=today)
    if not updated:
        DigestPreference.objects.get_or_create(user=user, defaults={"last_seen_on": today})
    # The user may have been loaded with its preferences (config.auth): keep them current.
    related = get_user_model().digest_preference.related
    if related.is_cached(user):
        cached = related.get_cached_value(user)
        if cached is not None and updated:
            cached.last_seen_on = today
        else:
            related.delete_cached_value(user)


def follow_set(*, user, partnership, following):
    """Follow (True), unfollow (False), or go back to the default (None)."""
    if following is None:
        Follow.objects.filter(user=user, partnership=partnership).delete()
        return None
    follow, _ = Follow.objects.update_or_create(
        user=user, partnership=partnership, defaults={"following": following}
    )
    return follow


# Claiming and recording ---------------------------------------------------------------------


def _claim(model, pk, now):
    return (
        model.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING,
            attempts=F("attempts") + 1,
            claimed_at=now,
            updated_at=now,
        )
        == 1
    )


def _finish(model, pk, status, **fields):
    model.objects.filter(pk=pk, status=DeliveryStatus.SENDING).update(
        status=status, updated_at=timezone.now(), **fields
    )


def _fail(model, pk, error, *, last_attempt):
    _finish(
        model,
        pk,
        DeliveryStatus.FAILED if last_attempt else DeliveryStatus.PENDING,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )


def _send(*, to, subject, text, html, headers=None):
    message = EmailMultiAlternatives(subject, text, None, [to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    message.send()


def _after_commit(send, ids):
    ids = list(ids)
    if ids:
        transaction.on_commit(lambda: [send(pk) for pk in ids])
    return ids


def _send_digest_now(digest_id):
    return digest_send(digest_id=digest_id)


def _send_reminder_now(reminder_id):
    return reminder_send(reminder_id=reminder_id)


# Digests --------------------------------------------------------------------------------------


def schedule_due_for(user, now):
    """This week's schedule if the user's digest is due at ``now``, else None."""
    preference = preference_for(user)
    if not preference.enabled:
        return None
    return due_schedule(
        now=now,
        weekday=preference.weekday,
        send_time=preference.send_time,
        tz=preference.time_zone,
        last_active=last_active_on(user, preference),
        inactive_days=settings.DIGEST_INACTIVE_DAYS,
        catch_up_hours=settings.DIGEST_CATCH_UP_HOURS,
    )


def schedule_in_week(user, monday, *, force_weekly=False):
    preference = preference_for(user)
    return schedule_for_week(
        monday,
        weekday=preference.weekday,
        send_time=preference.send_time,
        tz=preference.time_zone,
        last_active=last_active_on(user, preference),
        inactive_days=settings.DIGEST_INACTIVE_DAYS,
        force_weekly=force_weekly,
    )


def schedule_of(digest):
    """The schedule a digest record was created for (its period and time zone)."""
    preference = preference_for(digest.user)
    tz = ZoneInfo(digest.time_zone)
    return DigestSchedule(
        week=digest.week,
        send_date=digest.period_end,
        scheduled_at=datetime.combine(digest.period_end, preference.send_time, tzinfo=tz),
        period_start=digest.period_start,
        monthly=digest.monthly,
    )


def digest_record(*, user, schedule):
    """The digest record of (user, ISO week), created pending if there is none yet."""
    return Digest.objects.get_or_create(
        user=user,
        week=schedule.week,
        defaults={
            "period_start": schedule.period_start,
            "period_end": schedule.period_end,
            "time_zone": str(schedule.tz),
            "monthly": schedule.monthly,
            "to_email": user.email,
        },
    )


def digest_fan_out(*, now=None, send=None):
    """Record a pending digest for every recipient whose local send time has come and enqueue
    one send per new record (and per pending record whose task seems lost). Returns the ids."""
    now = now or timezone.now()
    due = [(user, s) for user in digest_candidates() if (s := schedule_due_for(user, now))]
    if not due:
        return []
    stale_before = now - timedelta(minutes=settings.DIGEST_REQUEUE_AFTER_MINUTES)
    ids = []
    with transaction.atomic():
        existing = {
            (d.user_id, d.week): d
            for d in Digest.objects.filter(
                user_id__in=[u.pk for u, _ in due], week__in={s.week for _, s in due}
            )
        }
        for user, schedule in due:
            digest = existing.get((user.pk, schedule.week))
            created = False
            if digest is None:
                digest, created = digest_record(user=user, schedule=schedule)
            if created or (
                digest.status == DeliveryStatus.PENDING and digest.updated_at < stale_before
            ):
                ids.append(digest.pk)
        return _after_commit(send or _send_digest_now, ids)


def digest_send(*, digest_id, last_attempt=True, now=None):
    """Claim, build, render and send one digest. Returns the final status, or None if another
    run had already claimed or finished it. Re-raises send errors after recording them."""
    now = now or timezone.now()
    if not _claim(Digest, digest_id, now):
        return None
    digest = Digest.objects.select_related("user__digest_preference").get(pk=digest_id)
    user = digest.user
    if not (user.is_active and user.email and preference_for(user).enabled):
        _finish(Digest, digest.pk, DeliveryStatus.SKIPPED, last_error="Digest turned off.")
        return DeliveryStatus.SKIPPED
    try:
        content = build_digest(user, schedule_of(digest))
        if content.partnership_count == 0:
            _finish(
                Digest,
                digest.pk,
                DeliveryStatus.SKIPPED,
                last_error="The recipient follows no partnerships.",
            )
            return DeliveryStatus.SKIPPED
        email = render_digest(content, digest=digest)
        _send(
            to=user.email,
            subject=email.subject,
            text=email.text,
            html=email.html,
            headers=email.headers,
        )
    except TRANSIENT_ERRORS as error:
        _fail(Digest, digest.pk, error, last_attempt=last_attempt)
        raise
    except Exception as error:
        _fail(Digest, digest.pk, error, last_attempt=True)
        raise
    _finish(
        Digest,
        digest.pk,
        DeliveryStatus.SENT,
        sent_at=timezone.now(),
        to_email=user.email,
        subject=email.subject[:255],
        text_body=email.text,
        html_body=email.html,
        partnership_count=content.partnership_count,
    )
    return DeliveryStatus.SENT


def delivery_retry(*, model, ids, send=None):
    """Put failed records back to pending and enqueue them again (the admin's action)."""
    ids = list(
        model.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED).values_list("pk", flat=True)
    )
    model.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.PENDING, updated_at=timezone.now()
    )
    now = _send_digest_now if model is Digest else _send_reminder_now
    return _after_commit(send or now, ids)


# Reminders ------------------------------------------------------------------------------------


def reminder_offset(days_left, offsets):
    """The threshold just crossed: the smallest offset at least ``days_left`` away (or None)."""
    crossed = [o for o in offsets if o >= days_left]
    return min(crossed) if crossed else None


def reminders_plan(*, today):
    """The reminders that should exist today: one per (date, offset just crossed, recipient)."""
    offsets = sorted(set(settings.DIGEST_REMINDER_OFFSETS))
    dates = upcoming_dates(today, until=today + timedelta(days=max(offsets)))
    partnerships = Partnership.objects.filter(
        pk__in={d.partnership_id for d in dates}
    ).select_related("owner__digest_preference")
    owners = {p.pk: p.owner for p in partnerships}
    execs = executives()
    planned = []
    for row in dates:
        if row.partnership_id not in owners:
            continue
        offset = reminder_offset((row.due_date - today).days, offsets)
        owner = owners[row.partnership_id]
        recipients = {u.pk: u for u in execs}
        if owner is not None and owner.is_active and owner.email:
            recipients[owner.pk] = owner
        for user in recipients.values():
            if not preference_for(user).reminders_enabled:
                continue
            planned.append(
                Reminder(
                    partnership_id=row.partnership_id,
                    kind=row.kind,
                    due_date=row.due_date,
                    offset_days=offset,
                    recipient=user,
                    label=row.label[:255],
                    url=row.url[:500],
                    to_email=user.email,
                )
            )
    return dates, planned


def reminders_run(*, today=None, send=None):
    """The daily job: record today's reminders (each key at most once) and enqueue them.

    Pending reminders whose date is no longer current (amended, renewed, ended) are skipped.
    """
    today = today or timezone.localdate()
    dates, planned = reminders_plan(today=today)
    current = {(d.partnership_id, d.kind, d.due_date) for d in dates}
    with transaction.atomic():
        Reminder.objects.bulk_create(planned, ignore_conflicts=True)
        pending = Reminder.objects.filter(status=DeliveryStatus.PENDING).values_list(
            "pk", "partnership_id", "kind", "due_date"
        )
        due, stale = [], []
        for pk, pid, kind, due_date in pending:
            (due if (pid, kind, due_date) in current else stale).append(pk)
        Reminder.objects.filter(pk__in=stale).update(
            status=DeliveryStatus.SKIPPED,
            last_error="The date changed or passed before the reminder went out.",
            updated_at=timezone.now(),
        )
        return _after_commit(send or _send_reminder_now, due)


def reminder_send(*, reminder_id, last_attempt=True, now=None):
    now = now or timezone.now()
    if not _claim(Reminder, reminder_id, now):
        return None
    reminder = Reminder.objects.select_related(
        "recipient__digest_preference", "partnership__partner", "partnership__owner"
    ).get(pk=reminder_id)
    user = reminder.recipient
    today = timezone.localdate(now)
    still_due = any(
        (d.kind, d.due_date) == (reminder.kind, reminder.due_date)
        for d in upcoming_dates(today, partnership_ids=[reminder.partnership_id])
    )
    if not still_due or not (user.is_active and user.email):
        _finish(
            Reminder,
            reminder.pk,
            DeliveryStatus.SKIPPED,
            last_error="The date changed or passed before the reminder went out.",
        )
        return DeliveryStatus.SKIPPED
    if not preference_for(user).reminders_enabled:
        _finish(Reminder, reminder.pk, DeliveryStatus.SKIPPED, last_error="Reminders turned off.")
        return DeliveryStatus.SKIPPED
    days_left = (reminder.due_date - today).days
    context = {
        "reminder": reminder,
        "user": user,
        "name": user.first_name or user.get_full_name() or user.username,
        "partnership": reminder.partnership,
        "days_left": days_left,
        "is_owner": reminder.partnership.owner_id == user.pk,
        "url": absolute(reminder.url or reminder.partnership.get_absolute_url()),
        "preferences_url": absolute(reverse("digests:preferences")),
        "offsets": offsets_phrase(settings.DIGEST_REMINDER_OFFSETS),
    }
    try:
        subject, text, html = render_email("reminder", context)
        _send(to=user.email, subject=subject, text=text, html=html)
    except TRANSIENT_ERRORS as error:
        _fail(Reminder, reminder.pk, error, last_attempt=last_attempt)
        raise
    except Exception as error:
        _fail(Reminder, reminder.pk, error, last_attempt=True)
        raise
    _finish(
        Reminder,
        reminder.pk,
        DeliveryStatus.SENT,
        sent_at=timezone.now(),
        subject=subject[:255],
        to_email=user.email,
    )
    return DeliveryStatus.SENT
