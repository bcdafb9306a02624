"""What integration plans add to the partnership page, the stage moves, the health score, the
digest, "My work", the portfolio's order and the demo (see partnerships/plugins.py)."""

from partnerships.models import Stage
from partnerships.plugins import (
    Contributions,
    DigestSection,
    HealthInput,
    OnEnter,
    PackSection,
    Panel,
    Seeder,
    Slot,
    WorkSource,
)

from . import demo, digest, pack, portfolio, selectors, services, work

CONTRIBUTIONS = Contributions(
    panels=[
        Panel(
            "integration",
            "Integration plan",
            "integration:plan",
            Slot.AFTER_OBJECTIVES,
            35,
            reserve=(1250, 2200),
            stylesheet="integration/integration.css",
        )
    ],
    on_enter=[OnEnter("integration.template", Stage.ACTIVE, services.plan_from_template)],
    health_inputs=[
        HealthInput("integration", selectors.health_input_reads, selectors.health_inputs_from)
    ],
    digest_sections=[
        DigestSection(
            "integration-slipped",
            "Milestones slipped this week",
            digest.slipped_this_week,
            order=45,
        )
    ],
    work=[
        WorkSource(
            "integration.milestones",
            "Milestones",
            work.items,
            complete=work.complete,
            reopen=work.reopen,
            order=15,
        )
    ],
    attention=portfolio.ATTENTION,
    seeders=[Seeder("integration", demo.seed_integration, order=30)],
    pack_sections=[
        PackSection("integration.milestones", "Integration milestones", pack.milestones, order=55)
    ],
)
