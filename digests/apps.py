from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "digests"
    verbose_name = "Digests and reminders"
    # What this app adds to the pages it shares with the others (see partnerships/plugins.py).
    contributions = "digests.contributions.CONTRIBUTIONS"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import mark_seen_at_login

        user_logged_in.connect(mark_seen_at_login, dispatch_uid="digests.mark_seen_at_login")

        from functools import partial

        from outbox import origins

        from . import services
        from .models import Digest, Reminder

        # A digest's or reminder's status follows its outbox email.
        for model in (Digest, Reminder):
            prefix = services.origin_prefix(model)
            origins.register(prefix, model, partial(services.apply_outcome, model))
