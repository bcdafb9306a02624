"""Thin Celery tasks: ids in, one service call each. Sends retry SMTP and network errors with
exponential backoff; the service records each attempt and its error on the record. The jobs
that record digests and reminders are given the send task to queue them with."""

from celery import shared_task
from django.conf import settings

from . import services
from .models import Digest

RETRY = {
    "autoretry_for": services.TRANSIENT_ERRORS,
    "retry_backoff": settings.DIGEST_RETRY_BACKOFF_SECONDS,
    "retry_backoff_max": 60 * 60,
    "retry_jitter": True,
    "max_retries": settings.DIGEST_MAX_RETRIES,
}


@shared_task(name="digests.fan_out_digests")
def fan_out_digests():
    """Hourly: enqueue a send for every recipient whose local send time has come."""
    return services.digest_fan_out(send=send_digest.delay)


@shared_task(name="digests.send_digest", bind=True, **RETRY)
def send_digest(self, digest_id):
    return services.digest_send(
        digest_id=digest_id, last_attempt=self.request.retries >= self.max_retries
    )


@shared_task(name="digests.send_date_reminders")
def send_date_reminders():
    """Daily: email owners and executives ahead of the dates that must not be missed."""
    return services.reminders_run(send=send_reminder.delay)


@shared_task(name="digests.send_reminder", bind=True, **RETRY)
def send_reminder(self, reminder_id):
    return services.reminder_send(
        reminder_id=reminder_id, last_attempt=self.request.retries >= self.max_retries
    )


def retry_failed(model, ids):
    """Put failed digests or reminders back to pending and queue their sends (the admin's
    action)."""
    task = send_digest if model is Digest else send_reminder
    return services.delivery_retry(model=model, ids=ids, send=task.delay)
