"""Overdue obligations in the weekly digest (``plugins.DigestSection``): other people's, in the
partnerships the reader follows (their own are in "Needs you", through "My work")."""

from types import SimpleNamespace

from digests.needs import per_partnership, summarised_for
from digests.sections import MAX_ITEMS, PORTFOLIO, Item, SectionData, left_out, see_all
from partnerships.aggregates import ids_param
from partnerships.links import path_maker

from . import selectors
from .models import Obligation
from .occurrences import company_today

TITLE = "Overdue contract obligations"


def _late(days):
    return "1 day late" if days == 1 else f"{days} days late"


def overdue_obligations(user, partnership_ids, week_start, week_end):
    today = company_today(week_end)
    obligations = selectors.with_fulfilled(
        Obligation.objects.filter(
            partnership_id__in=ids_param(partnership_ids),
            status=Obligation.Status.ACTIVE,
            first_due__lt=today,
        )
        .exclude(owner=user)
        .select_related("partnership", "owner")
    )
    rows = []
    for obligation in obligations:
        late = [o for o in selectors.open_occurrences(obligation, today) if o.is_overdue(today)]
        if late:
            rows.append(
                SimpleNamespace(
                    obligation=obligation,
                    partnership_id=obligation.partnership_id,
                    partnership__title=obligation.partnership.title,
                    due_date=late[0].due_date,
                    count=len(late),
                )
            )
    if not rows:
        return None
    rows.sort(key=lambda r: (r.due_date, r.partnership__title, r.obligation.pk))
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
    obligation = row.obligation
    whose = "the partner" if obligation.party == "partner" else "us"
    owner = obligation.owner.get_full_name() if obligation.owner else "no owner"
    days = (today - row.due_date).days
    times = f" ({row.count} due dates missed)" if row.count > 1 else ""
    return Item(
        text=f"{row.partnership__title}: {obligation.description}",
        link=panel(row.partnership_id) + "#obligations",
        severity="red" if days > 14 else "amber",
        badge=_late(days),
        meta=f"Owed by {whose} · due {row.due_date:%-d %b}{times} · {owner}",
    )
