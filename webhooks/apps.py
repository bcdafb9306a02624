from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"
    # The stage moves it reports and its menu entry (see partnerships/plugins.py).
    contributions = "webhooks.contributions.CONTRIBUTIONS"

    def ready(self):
        from outbox import senders
        from outbox.models import Kind

        from .delivery import WebhookSender

        senders.register(Kind.WEBHOOK, WebhookSender)
