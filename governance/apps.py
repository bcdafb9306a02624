from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"
    # What this app adds to the pages it shares with the others (see partnerships/plugins.py).
    contributions = "governance.contributions.CONTRIBUTIONS"
