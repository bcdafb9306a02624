from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "integration"
    verbose_name = "Integration plans"
    # What this app adds to the pages it shares with the others (see partnerships/plugins.py).
    contributions = "integration.contributions.CONTRIBUTIONS"
