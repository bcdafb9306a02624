from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships"
    # What this app adds to the pages it shares with the others (see plugins.py).
    contributions = "partnerships.contributions.CONTRIBUTIONS"

    def ready(self):
        from . import changes

        changes.connect()
