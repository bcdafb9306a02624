from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships"

    def ready(self):
        from django.contrib.auth import get_user_model

        from . import changes, portfolio, stages, timeline  # noqa: F401  (register own parts)
        from .models import Agreement, Objective, Partner, Partnership, StrategicGoal
        from .panels import register_panel

        register_panel("timeline", "Recent activity", "partnerships:timeline", order=900)
        # What the cached portfolio reads from this app (and owners' names).
        changes.track(
            Partnership,
            Partnership.team.through,
            Partner,
            Agreement,
            Objective,
            StrategicGoal,
            get_user_model(),
        )
        changes.connect()
