"""Thin Celery tasks of the renewals app."""

from celery import shared_task

from . import services


@shared_task(name="renewals.open_due_packs")
def open_due_packs():
    return services.open_due_packs()
