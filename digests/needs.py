"""The digest's "Needs you": what is due from the recipient, before the week's other news.

Their own action items, corrective actions and values to enter (``partnerships.work``, which
gathers them from every app), overdue or due within 7 days of the send day. Other people's
overdue items stay in their apps' sections, which for an executive count them per partnership
(``per_partnership``) instead of listing each.
"""

from collections import defaultdict

from partnerships.later import deferrable
from partnerships.roles import is_executive
from partnerships.work import items_later

from .sections import MAX_ITEMS, Item, SectionData, left_out, plural

MY_WORK = ("partnerships:my_work", "Open My work")


def _when(item, today):
    days = (item.due_date - today).days
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} late", "red" if days < -14 else "amber"
    if days == 0:
        return "Due today", "amber"
    return f"Due {item.due_date:%a} {item.due_date.day} {item.due_date:%b}", "blue"


@deferrable
def needs_you(user, partnership_ids, week_start, week_end):
    today = week_end.date()
    return items_later(user, today, due="week").map(lambda mine: _needs_you(mine, today))


def _needs_you(mine, today):
    items = []
    for work in mine[:MAX_ITEMS]:
        badge, severity = _when(work, today)
        items.append(
            Item(
                text=f"{work.partnership_title}: {work.title}",
                link=work.url,
                severity=severity,
                badge=badge,
                meta=work.detail,
            )
        )
    return SectionData(
        title="Needs you",
        intro="Yours, overdue or due within 7 days, across every partnership.",
        items=items,
        **left_out(mine, "item", more=MY_WORK),
        partnership_ids={work.partnership_id for work in mine},
    )


# Past this many, an executive reads other people's overdue items as counts per partnership.
LIST_UP_TO = 5


def summarised_for(user, rows):
    """Whether a section lists ``rows`` one by one or counts them per partnership: an
    executive reads many of other people's overdue items as counts (they are not theirs to do,
    and a dozen lines of them buried the KPIs)."""
    return len(rows) > LIST_UP_TO and is_executive(user)


def per_partnership(rows, noun, link_for, today):
    """Items "Nordic fulfilment network: 4 overdue action items, the oldest 23 days late",
    most first. ``rows`` have ``partnership_id``, ``partnership__title`` and ``due_date``."""
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.partnership_id].append(row)
    ordered = sorted(grouped.values(), key=lambda g: (-len(g), g[0].partnership__title.casefold()))
    items = []
    for group in ordered[:MAX_ITEMS]:
        oldest = min(row.due_date for row in group)
        late = (today - oldest).days
        items.append(
            Item(
                text=f"{group[0].partnership__title}: {plural(len(group), noun)}",
                link=link_for(group[0].partnership_id),
                severity="red" if late > 14 else "amber",
                badge=f"{len(group)}",
                meta=f"The oldest {late} day{'s' if late != 1 else ''} late",
            )
        )
    return items, max(len(ordered) - MAX_ITEMS, 0)
