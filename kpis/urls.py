from django.urls import path, re_path

from . import dashboard, views

app_name = "kpis"

urlpatterns = [
    # Panels of the partnership page (each is also a full page).
    path("partnership/<int:pk>/", views.partnership_kpis, name="partnership_kpis"),
    path("partnership/<int:pk>/alerts/", views.partnership_alerts, name="partnership_alerts"),
    path("partnership/<int:pk>/health/", views.partnership_health, name="partnership_health"),
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
    path("partnership/<int:pk>/new/", views.kpi_create, name="kpi_create"),
    # KPIs and measurements
    path("<int:kpi_pk>/", views.kpi_detail, name="kpi_detail"),
    path("<int:kpi_pk>/edit/", views.kpi_edit, name="kpi_edit"),
    path("<int:kpi_pk>/record/", views.measurement_create, name="measurement_create"),
    path("entry/", views.entry_grid, name="entry_grid"),
    path("entry/cell/", views.entry_cell, name="entry_cell"),
    # Spreadsheet import
    path("import/", views.import_start, name="import_start"),
    path("import/template.<str:fmt>", views.import_template, name="import_template"),
    path("import/<int:import_pk>/", views.import_detail, name="import_detail"),
    path("import/<int:import_pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<int:import_pk>/cancel/", views.import_cancel, name="import_cancel"),
    # Alerts and corrective actions
    path("alerts/", views.alert_inbox, name="alert_inbox"),
    path("alerts/<int:alert_pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:alert_pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:alert_pk>/actions/new/", views.action_create, name="action_create"),
    path("actions/<int:action_pk>/edit/", views.action_edit, name="action_edit"),
    path(
        "checkpoints/<int:checkpoint_pk>/record/",
        views.checkpoint_record,
        name="checkpoint_record",
    ),
]
