"""What contracts adds to the partnership page, "My work", the reminders, the timeline and the
demo (see partnerships/plugins.py)."""

from partnerships.plugins import (
    Contributions,
    DigestSection,
    PackSection,
    Panel,
    Reminder,
    Seeder,
    Slot,
    TimelineSource,
    WorkSource,
)

from . import demo, digest, pack, reminders, work

CSS = "contracts/contracts.css"

CONTRIBUTIONS = Contributions(
    panels=[
        Panel(
            "obligations",
            "Contract & obligations",
            "contracts:panel",
            # Last of the main column, just above the agreement's terms.
            Slot.AFTER_OBJECTIVES,
            90,
            reserve=(1100, 1450),
            stylesheet=CSS,
        )
    ],
    work=[
        WorkSource(
            work.KIND,
            "Contract obligations",
            work.items,
            complete=work.complete,
            reopen=work.reopen,
            order=40,
        )
    ],
    reminders=[Reminder("contracts.obligations", reminders.obligation_dates)],
    timeline=[
        TimelineSource("contracts.obligations", reminders.obligation_events),
        TimelineSource("contracts.documents", reminders.document_events),
    ],
    digest_sections=[
        DigestSection("contracts-overdue-obligations", digest.TITLE, digest.overdue_obligations, 45)
    ],
    seeders=[Seeder("contracts", demo.seed_contracts, order=30)],
    pack_sections=[PackSection("contracts.obligations", "Obligations", pack.obligations, order=50)],
)
