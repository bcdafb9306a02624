from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"

    def ready(self):
        from partnerships import changes
        from partnerships import portfolio as portfolio_table
        from partnerships import timeline as partnership_timeline
        from partnerships.demo_registry import register_seeder
        from partnerships.header import register_fact
        from partnerships.models import Stage
        from partnerships.navigation import register_nav
        from partnerships.panels import register_panel
        from partnerships.stages import register_gate

        from . import dashboard, demo, digest, gates, portfolio, timeline
        from .models import (
            Alert,
            Checkpoint,
            CorrectiveAction,
            HealthSnapshot,
            Kpi,
            Measurement,
            Snapshot,
        )

        register_gate(Stage.ACTIVE, gates.has_kpi_for_objective, key="kpis.kpi_for_objective")
        register_panel("kpis", "KPIs", "kpis:partnership_kpis", order=10)
        register_panel("trends", "Trends", "kpis:partnership_trends", order=15)
        register_panel("alerts", "Alerts & corrective actions", "kpis:partnership_alerts", order=20)
        register_panel("health", "Health", "kpis:partnership_health", order=30)
        register_nav("Alerts", "kpis:alert_inbox", order=30)
        register_nav("KPI entry", "kpis:entry_grid", order=40)
        register_seeder("kpis", demo.seed_kpis, order=50)
        for column in portfolio.COLUMNS:
            portfolio_table.register_column(column)
        portfolio_table.register_filter(portfolio.HEALTH_FILTER)
        portfolio_table.register_tiles("kpis", portfolio.tiles, order=10)
        portfolio_table.register_health_source(portfolio.health_source)
        # What those columns, tiles, facts and panels read (cached under the data version).
        changes.track(
            Kpi, Measurement, Snapshot, Alert, CorrectiveAction, Checkpoint, HealthSnapshot
        )
        partnership_timeline.register_source("kpi_measurements", timeline.measurements)
        partnership_timeline.register_source("kpi_alerts", timeline.alerts)
        register_fact("health", dashboard.header_health, order=10)
        digest.register()
