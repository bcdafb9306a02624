from celery import shared_task

from . import partner_actions


@shared_task(name="portal.send_action_reminders")
def send_action_reminders():
    return partner_actions.due_reminders()
