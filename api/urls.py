"""/api/v1/: every endpoint authenticates itself (token or session); DRF's views are exempt
from the sign-in redirect meant for pages, so a caller without credentials gets a 401."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import measurements, views

app_name = "api"


urlpatterns = [
    path("partnerships/", views.PartnershipList.as_view(), name="partnerships"),
    path("partnerships/<int:pk>/", views.PartnershipDetail.as_view(), name="partnership"),
    path("kpis/", views.KpiList.as_view(), name="kpis"),
    path("kpis/<int:kpi_pk>/", views.KpiDetail.as_view(), name="kpi"),
    path("snapshots/", views.SnapshotList.as_view(), name="snapshots"),
    path("alerts/", views.AlertList.as_view(), name="alerts"),
    path("alerts/<int:alert_pk>/", views.AlertDetail.as_view(), name="alert"),
    path("measurements/", measurements.MeasurementFeed.as_view(), name="measurements"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
