"""What governance adds to the partnership page, the portfolio, the stage gates, the health
score, the digest and the demo (see partnerships/plugins.py)."""

from partnerships.models import Stage
from partnerships.plugins import (
    Contributions,
    DigestSection,
    Gate,
    HeaderFact,
    HealthInput,
    Nav,
    OnEnd,
    PackSection,
    Panel,
    Reminder,
    Seeder,
    Slot,
    Tiles,
    WorkSource,
)

from . import demo, digest, ending, escalation, gates, header, pack, portfolio, selectors, work

GOV_CSS = "governance/governance.css"

CONTRIBUTIONS = Contributions(
    panels=[
        Panel(
            "governance",
            "Governance",
            "governance:governance",
            Slot.AFTER_OBJECTIVES,
            30,
            reserve=(1100, 1360),
            stylesheet=GOV_CSS,
        ),
        Panel(
            "meetings",
            "Meetings & actions",
            "governance:meetings",
            Slot.AFTER_OBJECTIVES,
            40,
            reserve=(1200, 2100),
            stylesheet=GOV_CSS,
        ),
        Panel(
            "risks",
            "Risks",
            "governance:risks",
            Slot.SIDE,
            50,
            reserve=(650, 820),
            stylesheet=GOV_CSS,
        ),
        Panel(
            "dd",
            "Due diligence",
            "governance:dd",
            Slot.SIDE,
            60,
            reserve=(960, 910),
            stylesheet=GOV_CSS,
        ),
    ],
    columns=portfolio.COLUMNS,
    attention=portfolio.ATTENTION,
    escalation_paths=[escalation.escalation_paths],
    work=[
        WorkSource(
            "governance.actions",
            "Action items",
            work.items,
            complete=work.complete,
            reopen=work.reopen,
            order=10,
        )
    ],
    on_end=[OnEnd("governance.ending", ending.describe, ending.close, order=20)],
    filters=[portfolio.OVERDUE_FILTER],
    tiles=[Tiles("governance", portfolio.attention_tiles, order=60)],
    health_inputs=[
        HealthInput("governance", selectors.health_input_reads, selectors.health_inputs_from)
    ],
    gates=[
        Gate(Stage.NEGOTIATION, gates.due_diligence_cleared),
        Gate(Stage.ACTIVE, gates.sponsor_and_owner_assigned),
    ],
    facts=[HeaderFact("sponsor", header.sponsor, order=20)],
    nav=[Nav("Risks", "governance:portfolio_risks", order=40)],
    seeders=[Seeder("governance", demo.seed_governance, order=20)],
    digest_sections=[
        DigestSection(
            "governance-overdue-actions", "Overdue action items", digest.overdue_actions, order=40
        )
    ],
    reminders=[
        Reminder("performance_review", digest.review_dates),
        Reminder("dd_reassessment", digest.reassessment_dates),
    ],
    pack_sections=[
        PackSection("governance.risks", "Risks", pack.risks, order=60),
        PackSection("governance.reviews", "Last performance reviews", pack.reviews, order=80),
    ],
)
