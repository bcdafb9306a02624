"""What the partner portal adds to our side (see partnerships/plugins.py): two panels on the
partnership page (who is invited, which objectives are not yet agreed, which partner values
wait for us; then what the partner's people did: their actions, questionnaire, health check and
ledger), the digest's flag on health-check gaps, and its demo data."""

from partnerships.plugins import Contributions, DigestSection, PackSection, Panel, Seeder, Slot

from . import demo, digest, pack

CONTRIBUTIONS = Contributions(
    panels=[
        Panel(
            "portal",
            "Partner portal",
            "partner_access:panel",
            Slot.AFTER_OBJECTIVES,
            20,
            reserve=(617, 717),
        ),
        Panel(
            "partner-work",
            "The partner's side",
            "partner_access:work_panel",
            Slot.AFTER_OBJECTIVES,
            21,
            reserve=(604, 722),
        ),
    ],
    digest_sections=[
        DigestSection("portal.health_gaps", digest.TITLE, digest.health_gaps, order=65)
    ],
    seeders=[Seeder("portal", demo.seed_portal, order=90)],
    pack_sections=[PackSection("portal.ledger", "Value ledger", pack.value_ledger, order=70)],
)
