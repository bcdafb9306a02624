"""What the base app contributes to its own extension points, declared like any other app's."""

from . import demo_money, pack, portfolio, stages, timeline, work
from .models import Stage
from .plugins import (
    Contributions,
    Gate,
    Nav,
    OnEnd,
    PackSection,
    Panel,
    Seeder,
    Slot,
    Tiles,
    TimelineSource,
    WorkSource,
)
from .roles import EXECUTIVE

CONTRIBUTIONS = Contributions(
    panels=[
        Panel(
            "timeline",
            "Recent activity",
            "partnerships:timeline",
            slot=Slot.AFTER_OBJECTIVES,
            order=900,
            reserve=(1420, 1640),
        )
    ],
    columns=portfolio.COLUMNS,
    filters=[portfolio.CONFLICTS_FILTER],
    tiles=[Tiles("stages", portfolio.stage_tiles, order=0)],
    gates=[
        Gate(Stage.ACTIVE, stages.owner_assigned),
        Gate(Stage.ACTIVE, stages.has_objective),
    ],
    timeline=[
        TimelineSource("stage_moves", timeline.stage_moves),
        TimelineSource("interactions", timeline.interactions),
        TimelineSource("amendments", timeline.amendments),
    ],
    nav=[
        Nav("My work", "partnerships:my_work", order=5),
        Nav("Rates", "partnerships:rates", order=85, for_roles=(EXECUTIVE,)),
    ],
    seeders=[Seeder("money", demo_money.seed_money, order=5)],
    work=[WorkSource("partnerships.conflicts", "Conflicts", work.open_conflicts, order=40)],
    on_end=[
        OnEnd(
            "partnerships.conflicts",
            stages.describe_open_conflicts,
            stages.close_open_conflicts,
            order=90,
        )
    ],
    pack_sections=[
        PackSection("partnerships.objectives", "Objectives", pack.objectives, order=10),
        PackSection(
            "partnerships.interactions", "Interaction highlights", pack.interactions, order=90
        ),
    ],
)
