from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contract documents and obligations"
    # What this app adds to the pages it shares with the others (see partnerships/plugins.py).
    contributions = "contracts.contributions.CONTRIBUTIONS"
