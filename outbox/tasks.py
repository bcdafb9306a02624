"""Thin Celery task: queued on commit by every enqueue, and by beat every minute as the sweep."""

from celery import shared_task
from django.conf import settings

from . import services


# No result is kept: nobody waits for it, and a result backend that is down must not delay
# the commit that queued it.
@shared_task(name="outbox.deliver", ignore_result=True)
def deliver():
    return services.deliver_all_due(limit=settings.OUTBOX_BATCH)
