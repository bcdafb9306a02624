"""/api/v1/: every endpoint authenticates itself (token or session), so none goes through the
sign-in redirect meant for pages."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"


def endpoint(view_class, **kwargs):
    return login_not_required(view_class.as_view(**kwargs))


urlpatterns = [
    path("partnerships/", endpoint(views.PartnershipList), name="partnerships"),
    path("partnerships/<int:pk>/", endpoint(views.PartnershipDetail), name="partnership"),
    path("kpis/", endpoint(views.KpiList), name="kpis"),
    path("kpis/<int:kpi_pk>/", endpoint(views.KpiDetail), name="kpi"),
    path("snapshots/", endpoint(views.SnapshotList), name="snapshots"),
    path("alerts/", endpoint(views.AlertList), name="alerts"),
    path("alerts/<int:alert_pk>/", endpoint(views.AlertDetail), name="alert"),
    path("schema/", endpoint(SpectacularAPIView), name="schema"),
    path("docs/", endpoint(SpectacularSwaggerSplitView, url_name="api:schema"), name="docs"),
]
