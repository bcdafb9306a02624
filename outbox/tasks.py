"""Thin Celery task: queued on commit by every enqueue, and by beat every minute as the sweep."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(name="outbox.deliver")
def deliver():
    return services.deliver_all_due(limit=settings.OUTBOX_BATCH)
