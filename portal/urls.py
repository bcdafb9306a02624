"""The partner-facing pages, under /portal/. Each concept's views module holds its own
``urlpatterns``; a new concept adds its module and one line here."""

from .views import actions, entry, home, imports, invitations, objectives

app_name = "portal"

urlpatterns = [
    *home.urlpatterns,
    *invitations.urlpatterns,
    *objectives.urlpatterns,
    *entry.urlpatterns,
    *imports.urlpatterns,
    *actions.urlpatterns,
]
