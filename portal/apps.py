from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Partner portal"
    # What this app adds to the pages it shares with the others (see partnerships/plugins.py).
    contributions = "portal.contributions.CONTRIBUTIONS"
