from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"
    # The menu entry of everything's history (see partnerships/plugins.py).
    contributions = "audit.contributions.CONTRIBUTIONS"

    def ready(self):
        from . import context, database

        context.connect_tasks()
        database.connect()
