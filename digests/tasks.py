"""Thin Celery tasks: one service call each. They write digests and reminders to the outbox,
which sends them (outbox.tasks): no send, and no retry budget, of their own."""

from celery import shared_task

from . import services


@shared_task(name="digests.fan_out_digests")
def fan_out_digests():
    """Hourly: record the digest of every recipient whose local send time has come, and hand
    their writing to ``write_digests`` tasks once that commits."""
    return services.digest_fan_out_to_workers()


@shared_task(name="digests.write_digests", ignore_result=True)
def write_digests(digest_ids):
    """Build, render and write to the outbox a few pending digests (any worker, any machine)."""
    return services.digests_write(digest_ids)


@shared_task(name="digests.send_date_reminders")
def send_date_reminders():
    """Daily: email owners and executives ahead of the dates that must not be missed."""
    return services.reminders_run()


# These two only write a pending record to the outbox if it is not there yet: they stay for
# tasks queued before an upgrade.
@shared_task(name="digests.send_digest")
def send_digest(digest_id):
    return services.digest_queue(digest_id)


@shared_task(name="digests.send_reminder")
def send_reminder(reminder_id):
    return services.reminder_queue(reminder_id)


def retry_failed(model, ids):
    """Failed digests or reminders get another full horizon of attempts (the admin's action)."""
    return services.delivery_retry(model=model, ids=ids)
