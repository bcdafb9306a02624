"""What the KPI app adds to the partnership page, the portfolio, the stage gates, the timeline,
the digest and the demo (see partnerships/plugins.py)."""

from partnerships.models import Stage
from partnerships.plugins import (
    Contributions,
    DigestColumns,
    DigestSection,
    Gate,
    HeaderFact,
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
from partnerships.roles import EXECUTIVE, PARTNER_MANAGER

from . import (
    dashboard,
    demo,
    digest,
    ending,
    gates,
    objective_readings,
    pack,
    portfolio,
    scorecard,
    timeline,
    work,
)

KPI_CSS = "kpis/kpis.css"

CONTRIBUTIONS = Contributions(
    panels=[
        Panel(
            "kpis",
            "KPIs",
            "kpis:partnership_kpis",
            Slot.MAIN,
            10,
            reserve=(360, 750),
            stylesheet=KPI_CSS,
        ),
        Panel(
            "trends",
            "Trends",
            "kpis:partnership_trends",
            Slot.MAIN,
            15,
            reserve=(600, 870),
            stylesheet=KPI_CSS,
        ),
        Panel(
            "alerts",
            "Alerts & corrective actions",
            "kpis:partnership_alerts",
            Slot.MAIN,
            20,
            reserve=(240, 330),
            stylesheet=KPI_CSS,
        ),
        Panel(
            "health",
            "Health",
            "kpis:partnership_health",
            Slot.SIDE_TOP,
            30,
            reserve=(612, 602),
            stylesheet=KPI_CSS,
        ),
    ],
    columns=portfolio.COLUMNS,
    attention=portfolio.ATTENTION,
    work=[
        WorkSource("kpis.corrective", "Corrective actions", work.corrective_actions, order=20),
        WorkSource("kpis.entry", "Values to enter", work.values_to_enter, order=30),
    ],
    objective_readings=[objective_readings.objective_readings],
    on_end=[OnEnd("kpis.ending", ending.describe, ending.close, order=10)],
    filters=[portfolio.HEALTH_FILTER],
    tiles=[Tiles("kpis", portfolio.tiles, order=10)],
    health_source=portfolio.health_source,
    gates=[Gate(Stage.ACTIVE, gates.has_kpi_for_objective, key="kpis.kpi_for_objective")],
    facts=[HeaderFact("health", dashboard.header_health, order=10)],
    timeline=[
        TimelineSource("kpi_measurements", timeline.measurements),
        TimelineSource("kpi_alerts", timeline.alerts),
    ],
    nav=[
        Nav("Alerts", "kpis:alert_inbox", order=30),
        Nav("KPI entry", "kpis:entry_grid", order=40, for_roles=(EXECUTIVE, PARTNER_MANAGER)),
    ],
    seeders=[Seeder("kpis", demo.seed_kpis, order=50)],
    digest_sections=[
        DigestSection("kpis.scorecard", "Scorecard", scorecard.scorecard, order=5),
        DigestSection(
            "kpis.health",
            "Health band changed",
            scorecard.beyond_cards(
                digest.health_bands,
                "Partnerships beyond the scorecard whose health moved into another band.",
            ),
            order=10,
        ),
        DigestSection(
            "kpis.status",
            "KPIs that changed status",
            scorecard.beyond_cards(
                digest.kpi_status_changes,
                "KPIs of partnerships beyond the scorecard, their latest result against a "
                "week ago.",
            ),
            order=20,
        ),
        DigestSection("kpis.alerts", "Alerts", digest.alerts_this_week, order=30),
        DigestSection(
            "kpis.corrective_actions",
            "Overdue corrective actions",
            digest.overdue_corrective_actions,
            order=45,
        ),
    ],
    digest_columns=[DigestColumns("kpis.health", digest.health_columns, order=10)],
    pack_sections=[
        PackSection("kpis.history", "KPIs against their targets", pack.kpi_history, order=20),
        PackSection("kpis.health", "Health", pack.health, order=30),
        PackSection("kpis.alerts", "Alerts and how they were resolved", pack.alerts, order=40),
    ],
)
