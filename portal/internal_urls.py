"""Our side of the portal (not under /portal/: partner users never reach these)."""

from .views.internal import urlpatterns  # noqa: F401

app_name = "partner_access"
