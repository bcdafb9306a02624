"""Our side of the portal (not under /portal/: partner users never reach these)."""

from .views import internal, partner_work

app_name = "partner_access"

urlpatterns = [*internal.urlpatterns, *partner_work.urlpatterns]
