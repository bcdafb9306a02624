from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outbox"

    def ready(self):
        # Registers the delivery task, which services queues by name.
        from . import tasks  # noqa: F401
