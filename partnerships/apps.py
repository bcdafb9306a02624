from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from . import changes, portfolio, stages, timeline  # noqa: F401  (register own parts)
        from .models import (
            Agreement,
            Amendment,
            Contact,
            Interaction,
            Objective,
            Partner,
            Partnership,
            StageMove,
            StrategicGoal,
        )
        from .panels import register_panel

        register_panel("timeline", "Recent activity", "partnerships:timeline", order=900)
        # What the cached pages and panels read from this app, and who people are.
        User = get_user_model()
        changes.track(
            Partnership,
            Partnership.team.through,
            Partner,
            Contact,
            Agreement,
            Amendment,
            Objective,
            StrategicGoal,
            Interaction,
            StageMove,
            User,
            User.groups.through,
            Group,
        )
        changes.connect()
