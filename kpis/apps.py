from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"
    # What this app adds to the pages it shares with the others (see partnerships/plugins.py).
    contributions = "kpis.contributions.CONTRIBUTIONS"

    def ready(self):
        # Registers the Celery tasks, which kpis.services queues by name (see services._task).
        from . import tasks  # noqa: F401
