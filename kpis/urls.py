from django.urls import path, re_path

from . import dashboard
from .views import alert_pages, entry_grid, import_pages, kpi_pages, panels

app_name = "kpis"

urlpatterns = [
    # Panels of the partnership page (each is also a full page).
    path("partnership/<int:pk>/", panels.partnership_kpis, name="partnership_kpis"),
    path("partnership/<int:pk>/alerts/", panels.partnership_alerts, name="partnership_alerts"),
    path("partnership/<int:pk>/health/", panels.partnership_health, name="partnership_health"),
    path("partnership/<int:pk>/trends/", dashboard.partnership_trends, name="partnership_trends"),
    re_path(
        r"^partnership/(?P<pk>\d+)/history\.(?P<fmt>csv|xlsx)$",
        dashboard.kpi_history_export,
        name="kpi_history_export",
    ),
    path(
        "alerts/<int:alert_pk>/panel/acknowledge/",
        dashboard.panel_acknowledge,
        name="panel_acknowledge",
    ),
    path(
        "alerts/<int:alert_pk>/panel/actions/new/",
        dashboard.panel_action_create,
        name="panel_action_create",
    ),
    path("partnership/<int:pk>/new/", kpi_pages.kpi_create, name="kpi_create"),
    # KPIs and measurements
    path("<int:kpi_pk>/", kpi_pages.kpi_detail, name="kpi_detail"),
    path("<int:kpi_pk>/edit/", kpi_pages.kpi_edit, name="kpi_edit"),
    path("<int:kpi_pk>/record/", kpi_pages.measurement_create, name="measurement_create"),
    path("entry/", entry_grid.entry_grid, name="entry_grid"),
    path("entry/cell/", entry_grid.entry_cell, name="entry_cell"),
    # Spreadsheet import
    path("import/", import_pages.import_start, name="import_start"),
    path("import/template.<str:fmt>", import_pages.import_template, name="import_template"),
    path("import/<int:import_pk>/", import_pages.import_detail, name="import_detail"),
    path("import/<int:import_pk>/confirm/", import_pages.import_confirm, name="import_confirm"),
    path("import/<int:import_pk>/cancel/", import_pages.import_cancel, name="import_cancel"),
    # Alerts and corrective actions
    path("alerts/", alert_pages.alert_inbox, name="alert_inbox"),
    path("alerts/<int:alert_pk>/", alert_pages.alert_detail, name="alert_detail"),
    path(
        "alerts/<int:alert_pk>/acknowledge/",
        alert_pages.alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("alerts/<int:alert_pk>/actions/new/", alert_pages.action_create, name="action_create"),
    path("actions/<int:action_pk>/edit/", alert_pages.action_edit, name="action_edit"),
    path(
        "checkpoints/<int:checkpoint_pk>/record/",
        alert_pages.checkpoint_record,
        name="checkpoint_record",
    ),
]
