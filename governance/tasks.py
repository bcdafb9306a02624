"""Thin Celery tasks of the governance app."""

from celery import shared_task

from . import conflicts


@shared_task(name="governance.escalate_conflicts")
def escalate_conflicts():
    return conflicts.escalate_overdue()
