"""Thin Celery task: the daily report of obligations that fell overdue."""

from celery import shared_task

from . import overdue


@shared_task(name="contracts.report_overdue_obligations", ignore_result=True)
def report_overdue_obligations():
    return overdue.report_overdue()
