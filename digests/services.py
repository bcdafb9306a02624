"""Writes: preferences, follows, and the digests and reminders written to the outbox.

A digest or reminder and its outbox email are written in one transaction, keyed by the record,
so a repeated beat, a retried task or two workers racing each other write a given email at most
once, and a worker that dies before the commit leaves nothing behind for the next run to trip
over. The outbox sends them (with a lease, retries for OUTBOX_GIVE_UP_HOURS, and the admin's
retry); each record's status follows its email's (``apply_outcome``).
"""

import logging
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from config.celery import queue_each_briefly
from outbox.models import Message
from outbox.origins import messages_of, origin_of
from outbox.services import enqueue_email, kick_on_commit, recipient_key, retry_origins
from partnerships.models import Partnership

from .building import (
    absolute,
    build_digest,
    digest_batch,
    offsets_phrase,
    render_digest,
    render_email,
)
from .dates import upcoming_dates
from .models import DeliveryStatus, Digest, DigestPreference, Follow, Reminder
from .schedule import DigestSchedule, due_schedule
from .selectors import digest_candidates, executives, last_active_on, preference_for
from .windows import digest_schedule

log = logging.getLogger(__name__)

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


# Outbox ---------------------------------------------------------------------------------------

DIGEST_ORIGIN = "digest"
REMINDER_ORIGIN = "reminder"


def origin_prefix(model):
    return DIGEST_ORIGIN if model is Digest else REMINDER_ORIGIN


def _enqueue(record, *, to, subject, text, html, headers=None):
    """The record's one email, written to the outbox in the caller's transaction."""
    origin = origin_of(origin_prefix(type(record)), record.pk)
    enqueue_email(
        to=to,
        subject=subject,
        text=text,
        html=html,
        headers=headers,
        key=recipient_key(origin, to),
        origin=origin,
    )


def _skip(record, reason):
    type(record).objects.filter(pk=record.pk).update(
        status=DeliveryStatus.SKIPPED, last_error=reason, updated_at=timezone.now()
    )
    return DeliveryStatus.SKIPPED


def _without_email(model):
    """Pending records with no outbox email: recorded before the outbox carried them."""
    prefix = f"{origin_prefix(model)}:"
    written = Message.objects.filter(
        origin=Concat(Value(prefix), Cast(OuterRef("pk"), CharField()))
    )
    return model.objects.filter(status=DeliveryStatus.PENDING).filter(~Exists(written))


def apply_outcome(model, pk, outcome):
    """A digest or reminder follows its email: sent, failed for good, or pending meanwhile."""
    model.objects.filter(pk=pk).exclude(status=DeliveryStatus.SKIPPED).update(
        status=outcome.status,
        attempts=min(outcome.attempts, 32767),
        last_error=outcome.last_error[:2000],
        sent_at=outcome.sent_at,
        updated_at=timezone.now(),
    )


def delivery_retry(*, model, ids):
    """The admin's retry of failed digests or reminders: their failed outbox emails get another
    full horizon of attempts; a failed record with no email (from before the outbox) is written
    to it now. Returns the ids retried."""
    ids = list(
        model.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED).values_list("pk", flat=True)
    )
    prefix = origin_prefix(model)
    retry_origins(prefix, ids)
    written = set(messages_of(prefix, ids).values_list("origin", flat=True))
    orphans = [pk for pk in ids if origin_of(prefix, pk) not in written]
    model.objects.filter(pk__in=orphans, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, updated_at=timezone.now()
    )
    queue = digest_queue if model is Digest else reminder_queue
    for pk in orphans:
        queue(pk)
    return ids


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
    return digest_schedule(user, monday=monday, force_weekly=force_weekly)


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


def digest_record_due(*, now=None):
    """Record, pending, the digest of every recipient whose local send time has come (one
    statement; a digest recorded already stays as it is). Returns the ids of every pending digest
    not yet written to the outbox: these, and those recorded earlier whose writing never
    happened (a task lost with the broker, a worker that died, a record from before the outbox).
    """
    now = now or timezone.now()
    due = []
    for user in digest_candidates():
        schedule = schedule_due_for(user, now)
        if schedule is not None:
            due.append(
                Digest(
                    user=user,
                    week=schedule.week,
                    period_start=schedule.period_start,
                    period_end=schedule.period_end,
                    time_zone=str(schedule.tz),
                    monthly=schedule.monthly,
                    to_email=user.email,
                )
            )
    Digest.objects.bulk_create(due, ignore_conflicts=True)
    return list(_without_email(Digest).order_by("pk").values_list("pk", flat=True))


def digest_fan_out(*, now=None):
    """Record the due digests and write each to the outbox here, in this process, each in a
    transaction of its own (the hourly job hands the writing to workers instead:
    ``digest_fan_out_to_workers``). Returns the ids of the digests written."""
    with transaction.atomic():
        ids = digest_record_due(now=now)
    return [pk for pk in ids if digest_queue(pk) == DeliveryStatus.PENDING]


def digest_fan_out_to_workers(*, now=None, chunk=None):
    """The hourly job: record the due digests, then, once that commits, hand their building to
    ``digests.write_digests`` tasks, ``chunk`` ids each, that any number of workers share.
    A task that is lost (broker down, worker killed) leaves its digests pending, and the next
    run hands them out again; writing one twice is impossible (``digests_write``).
    Returns the ids handed out."""
    chunk = chunk or settings.DIGEST_CHUNK
    with transaction.atomic():
        ids = digest_record_due(now=now)
        chunks = [ids[i : i + chunk] for i in range(0, len(ids), chunk)]
        if chunks:
            transaction.on_commit(
                partial(queue_each_briefly, "digests.write_digests", chunks), robust=True
            )
    return ids


def digests_write(digest_ids):
    """Build, render and write to the outbox each of these digests that is still pending and
    not written yet, in one transaction (one outbox kick for them all), each in a savepoint
    of its own so one that fails is logged and left pending for the next fan-out. A digest
    another transaction holds is skipped: that one writes it, or rolls back and leaves it
    pending. Returns the ids written."""
    written = []
    pending = Digest.objects.filter(pk__in=digest_ids, status=DeliveryStatus.PENDING)
    recipients = [digest.user for digest in pending.select_related("user")]
    with transaction.atomic(), digest_batch(recipients):
        if recipients:
            # Registered outside the digests' savepoints, the batch's one kick is the one each
            # email finds (``once_on_commit``); from inside its savepoint, each would add its own.
            kick_on_commit()
        for digest_id in digest_ids:
            try:
                with transaction.atomic():
                    if _write_if_pending(digest_id) == DeliveryStatus.PENDING:
                        written.append(digest_id)
            except Exception:  # one digest that cannot be built must not hold back the others
                log.exception(
                    "Digest %s could not be written; the next fan-out retries.", digest_id
                )
    return written


def digest_queue(digest_id):
    """Write a pending digest to the outbox unless it is there already (its own transaction).
    Returns its status, or None if it is not pending."""
    with transaction.atomic():
        digest = (
            Digest.objects.select_for_update()
            .filter(pk=digest_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if digest is None:
            return None
        if messages_of(DIGEST_ORIGIN, [digest.pk]).exists():
            return DeliveryStatus.PENDING
        return digest_enqueue(digest)


def _write_if_pending(digest_id):
    digest = (
        Digest.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user__digest_preference")
        .filter(pk=digest_id, status=DeliveryStatus.PENDING)
        .first()
    )
    if digest is None or messages_of(DIGEST_ORIGIN, [digest.pk]).exists():
        return None
    return digest_enqueue(digest)


def digest_enqueue(digest):
    """Build and render one digest and write its email to the outbox, in the caller's
    transaction; or skip it (turned off, nothing followed). Returns its status."""
    user = digest.user
    if not (user.is_active and user.email and preference_for(user).enabled):
        return _skip(digest, "Digest turned off.")
    content = build_digest(user, schedule_of(digest))
    if content.partnership_count == 0:
        return _skip(digest, "The recipient follows no partnerships.")
    email = render_digest(content, digest=digest)
    _enqueue(
        digest,
        to=user.email,
        subject=email.subject,
        text=email.text,
        html=email.html,
        headers=email.headers,
    )
    Digest.objects.filter(pk=digest.pk).update(
        to_email=user.email,
        subject=email.subject[:255],
        text_body=email.text,
        html_body=email.html,
        partnership_count=content.partnership_count,
        updated_at=timezone.now(),
    )
    return DeliveryStatus.PENDING


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
    responsible = _responsible({d.responsible_id for d in dates} - {None})
    execs = executives()
    planned = []
    for row in dates:
        if row.partnership_id not in owners:
            continue
        offset = reminder_offset((row.due_date - today).days, offsets)
        recipients = {u.pk: u for u in execs}
        for person in (owners[row.partnership_id], responsible.get(row.responsible_id)):
            if person is not None and person.is_active and person.email:
                recipients[person.pk] = person
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


def _responsible(user_ids):
    """{id: user} of the people who owe dates, with their preferences (one query, or none)."""
    if not user_ids:
        return {}
    users = get_user_model().objects.filter(pk__in=user_ids)
    return {u.pk: u for u in users.select_related("digest_preference")}


def reminders_run(*, today=None):
    """The daily job: record today's reminders (each key at most once) and write each pending
    one to the outbox, in one transaction. Returns the ids written.

    Pending reminders not yet written whose date is no longer current (amended, renewed, ended)
    are skipped.
    """
    today = today or timezone.localdate()
    dates, planned = reminders_plan(today=today)
    current = {(d.partnership_id, d.kind, d.due_date) for d in dates}
    with transaction.atomic():
        Reminder.objects.bulk_create(planned, ignore_conflicts=True)
        pending = _without_email(Reminder).values_list("pk", "partnership_id", "kind", "due_date")
        due, stale = [], []
        for pk, pid, kind, due_date in pending:
            (due if (pid, kind, due_date) in current else stale).append(pk)
        Reminder.objects.filter(pk__in=stale).update(
            status=DeliveryStatus.SKIPPED,
            last_error="The date changed or passed before the reminder went out.",
            updated_at=timezone.now(),
        )
        return [pk for pk in due if reminder_queue(pk, today=today) == DeliveryStatus.PENDING]


def reminder_queue(reminder_id, *, today=None):
    """Write a pending reminder to the outbox unless it is there already, or skip it.
    Returns its status, or None if it is not pending."""
    today = today or timezone.localdate()
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related(
                "recipient__digest_preference", "partnership__partner", "partnership__owner"
            )
            .filter(pk=reminder_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if reminder is None:
            return None
        if messages_of(REMINDER_ORIGIN, [reminder.pk]).exists():
            return DeliveryStatus.PENDING
        return reminder_enqueue(reminder, today=today)


def reminder_enqueue(reminder, *, today):
    user = reminder.recipient
    still_due = any(
        (d.kind, d.due_date) == (reminder.kind, reminder.due_date)
        for d in upcoming_dates(today, partnership_ids=[reminder.partnership_id])
    )
    if not still_due or not (user.is_active and user.email):
        return _skip(reminder, "The date changed or passed before the reminder went out.")
    if not preference_for(user).reminders_enabled:
        return _skip(reminder, "Reminders turned off.")
    context = {
        "reminder": reminder,
        "user": user,
        "name": user.first_name or user.get_full_name() or user.username,
        "partnership": reminder.partnership,
        "days_left": (reminder.due_date - today).days,
        "is_owner": reminder.partnership.owner_id == user.pk,
        "url": absolute(reminder.url or reminder.partnership.get_absolute_url()),
        "preferences_url": absolute(reverse("digests:preferences")),
        "offsets": offsets_phrase(settings.DIGEST_REMINDER_OFFSETS),
    }
    subject, text, html = render_email("reminder", context)
    _enqueue(reminder, to=user.email, subject=subject, text=text, html=html)
    Reminder.objects.filter(pk=reminder.pk).update(
        subject=subject[:255], to_email=user.email, updated_at=timezone.now()
    )
    return DeliveryStatus.PENDING
