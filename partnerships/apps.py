from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships"

    def ready(self):
        from . import portfolio, stages, timeline  # noqa: F401  (register the base app's own parts)
        from .panels import register_panel

        register_panel("timeline", "Recent activity", "partnerships:timeline", order=900)
