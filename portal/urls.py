"""The partner-facing pages, under /portal/. Each concept's views module holds its own
``urlpatterns``; a new concept adds its module and one line here."""

from .views import (
    actions,
    entry,
    healthcheck,
    home,
    imports,
    invitations,
    ledger,
    objectives,
    questionnaire,
)

app_name = "portal"

urlpatterns = [
    *home.urlpatterns,
    *invitations.urlpatterns,
    *objectives.urlpatterns,
    *entry.urlpatterns,
    *imports.urlpatterns,
    *actions.urlpatterns,
    *questionnaire.urlpatterns,
    *healthcheck.urlpatterns,
    *ledger.urlpatterns,
]
