"""What the partner portal adds to our side: its panel on the partnership page (who is invited,
which objectives are not yet agreed, which partner values wait for us) and its demo data (see
partnerships/plugins.py)."""

from partnerships.plugins import Contributions, Panel, Seeder, Slot

from . import demo

CONTRIBUTIONS = Contributions(
    panels=[
        Panel("portal", "Partner portal", "partner_access:panel", Slot.AFTER_OBJECTIVES, 20),
    ],
    seeders=[Seeder("portal", demo.seed_portal, order=90)],
)
