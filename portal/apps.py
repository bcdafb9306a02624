from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Partner portal"

    def ready(self):
        from digests.sections import register_section
        from partnerships import changes
        from partnerships.demo_registry import register_seeder
        from partnerships.panels import register_panel

        from . import demo, digest
        from .models import (
            ActionUpdate,
            HealthCheck,
            Invitation,
            LedgerEntry,
            ObjectiveAgreement,
            ObjectiveComment,
            PartnershipAccess,
            PartnerUser,
            QuestionnaireAnswer,
            Submission,
        )

        # Our side of the portal on the partnership page: who is invited, which objectives
        # are not yet agreed, which partner values wait for us.
        register_panel("portal", "Partner portal", "partner_access:panel", order=25)
        # What the partner's people did: their actions, questionnaire, health check, ledger.
        register_panel("partner-work", "The partner's side", "partner_access:work_panel", order=26)
        register_seeder("portal", demo.seed_portal, order=90)
        register_section("portal.health_gaps", digest.TITLE, digest.health_gaps, order=65)
        # What the portal panel (a cached part of the partnership page) reads.
        changes.track(
            ActionUpdate,
            HealthCheck,
            LedgerEntry,
            QuestionnaireAnswer,
            Invitation,
            ObjectiveAgreement,
            ObjectiveComment,
            PartnershipAccess,
            PartnerUser,
            Submission,
        )
