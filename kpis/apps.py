from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"
    # What this app adds to the pages it shares with the others (see partnerships/plugins.py).
    contributions = "kpis.contributions.CONTRIBUTIONS"

    def ready(self):
        # Registers the Celery tasks, which kpis.services queues by name (see services._task).
        from outbox import origins

        from . import alerts, retention, tasks  # noqa: F401
        from .models import AlertNotification

        # An alert notification's state follows its outbox emails.
        origins.register(alerts.ORIGIN, AlertNotification, alerts.apply_outcome)
