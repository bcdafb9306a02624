"""Overdue obligations in the weekly digest (``plugins.DigestSection``): other people's, in the
partnerships the reader follows (their own are in "Needs you", through "My work")."""

from digests.needs import per_partnership, summarised_for
from digests.sections import MAX_ITEMS, PORTFOLIO, Item, SectionData, left_out, see_all
from partnerships.later import deferrable
from partnerships.links import path_maker

from .occurrence_reads import late_obligations
from .occurrences import company_today

TITLE = "Overdue contract obligations"


def _late(days):
    return "1 day late" if days == 1 else f"{days} days late"


@deferrable
def overdue_obligations(user, partnership_ids, week_start, week_end):
    today = company_today(week_end)
    read = late_obligations.later(partnership_ids, today, not_owned_by=user)
    return read.map(lambda rows: _overdue(user, rows, today))


def _overdue(user, rows, today):
    if not rows:
        return None
    panel = path_maker("contracts:panel")
    if summarised_for(user, rows):
        items, more = per_partnership(rows, "overdue contract obligation", panel, today)
        return SectionData(
            title=TITLE,
            intro="Other people's, counted per partnership.",
            items=items,
            omitted=more,
            omitted_note=f"And {more:,} more partnerships with some." if more else "",
            **see_all(PORTFOLIO, more > 0),
            partnership_ids={r.partnership_id for r in rows},
        )
    items = [_item(r, today, panel) for r in rows[:MAX_ITEMS]]
    return SectionData(
        title=TITLE,
        items=items,
        **left_out(rows, "overdue contract obligation", more=PORTFOLIO),
        partnership_ids={r.partnership_id for r in rows},
    )


def _item(row, today, panel):
    whose = "the partner" if row.party == "partner" else "us"
    owner = row.owner if row.owner is not None else "no owner"
    days = (today - row.due_date).days
    times = f" ({row.count} due dates missed)" if row.count > 1 else ""
    return Item(
        text=f"{row.partnership__title}: {row.description}",
        link=panel(row.partnership_id) + "#obligations",
        severity="red" if days > 14 else "amber",
        badge=_late(days),
        meta=f"Owed by {whose} · due {row.due_date:%-d %b}{times} · {owner}",
    )
