from django.contrib import admin
from django.urls import include, path

from portal.views.login import PortalAwareLoginView

from .health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", PortalAwareLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    # The name allauth's steps reverse for the sign-in page (signin/).
    path("accounts/login/", PortalAwareLoginView.as_view(), name="account_login"),
    path("accounts/", include("signin.urls")),
    path("healthz", healthz, name="healthz"),
    path("governance/", include("governance.urls")),
    path("kpis/", include("kpis.urls")),
    path("integration/", include("integration.urls")),
    path("digests/", include("digests.urls")),
    path("portal/", include("portal.urls")),
    path("contracts/", include("contracts.urls")),
    path("partner-access/", include("portal.internal_urls")),
    path("renewals/", include("renewals.urls")),
    path("api/v1/", include("api.urls")),
    path("account/api-tokens/", include("api.account_urls")),
    path("webhooks/", include("webhooks.urls")),
    path("history/", include("audit.urls")),
    path("", include("partnerships.urls")),
]

# No MEDIA_URL route, in development either: uploaded files are private and served only by
# views that check who asks (the due-diligence evidence download).

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
# Also a 503 page saying so when the database is down (config/errors.py).
handler500 = "config.errors.server_error"
