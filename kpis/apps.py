from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"

    def ready(self):
        from partnerships.demo_registry import register_seeder
        from partnerships.models import Stage
        from partnerships.navigation import register_nav
        from partnerships.panels import register_panel
        from partnerships.stages import register_gate

        from . import demo, gates

        register_gate(Stage.ACTIVE, gates.has_kpi_for_objective, key="kpis.kpi_for_objective")
        register_panel("kpis", "KPIs", "kpis:partnership_kpis", order=10)
        register_panel("alerts", "Alerts & corrective actions", "kpis:partnership_alerts", order=20)
        register_panel("health", "Health", "kpis:partnership_health", order=30)
        register_nav("Alerts", "kpis:alert_inbox", order=30)
        register_nav("KPI entry", "kpis:entry_grid", order=40)
        register_seeder("kpis", demo.seed_kpis, order=50)
        __import__("kpis.digest", fromlist=["register"]).register()  # digest sections
