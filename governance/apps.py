from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"

    def ready(self):
        from partnerships import changes
        from partnerships import portfolio as portfolio_table
        from partnerships.demo_registry import register_seeder
        from partnerships.header import register_fact
        from partnerships.models import Stage
        from partnerships.navigation import register_nav
        from partnerships.panels import register_panel
        from partnerships.stages import register_gate

        from . import demo, digest, gates, header, portfolio
        from .models import (
            ActionItem,
            Checklist,
            ChecklistItem,
            ChecklistTemplate,
            Decision,
            Evidence,
            GovernanceRole,
            Meeting,
            MeetingCadence,
            PerformanceReview,
            RaciAssignment,
            Risk,
        )

        register_gate(Stage.NEGOTIATION, gates.due_diligence_cleared)
        register_gate(Stage.ACTIVE, gates.sponsor_and_owner_assigned)
        register_panel("dd", "Due diligence", "governance:dd", order=20)
        register_panel("governance", "Governance", "governance:governance", order=30)
        register_panel("meetings", "Meetings & actions", "governance:meetings", order=40)
        register_panel("risks", "Risks", "governance:risks", order=50)
        register_nav("Risks", "governance:portfolio_risks", order=40)
        register_seeder("governance", demo.seed_governance, order=20)
        for column in portfolio.COLUMNS:
            portfolio_table.register_column(column)
        portfolio_table.register_filter(portfolio.OVERDUE_FILTER)
        portfolio_table.register_tiles("governance", portfolio.attention_tiles, order=60)
        # What those columns, tiles, facts and panels read (cached under the data version).
        changes.track(
            ChecklistTemplate,
            Checklist,
            ChecklistItem,
            Evidence,
            GovernanceRole,
            RaciAssignment,
            MeetingCadence,
            Meeting,
            Decision,
            ActionItem,
            PerformanceReview,
            Risk,
        )
        digest.register()
        register_fact("sponsor", header.sponsor, order=20)
