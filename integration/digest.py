"""What integration plans add to the weekly digest: the milestones that slipped this week."""

from digests.sections import PORTFOLIO, Item, SectionData, ids_param, left_out
from partnerships.later import Later, deferrable, named
from partnerships.links import path_maker

from .selectors import slipped


@deferrable
def slipped_this_week(user, partnership_ids, week_start, week_end):
    """Milestones due during the week (``week_start`` to the send day) and still open: they
    slipped this week. One query, ``deferrable``."""
    today = week_end.date()
    rows = (
        slipped(today)
        .filter(
            workstream__partnership_id__in=ids_param(partnership_ids),
            due_date__gte=week_start.date(),
        )
        .order_by("due_date", "pk")
        .values(
            "title",
            "due_date",
            "workstream__title",
            "workstream__partnership_id",
            "workstream__partnership__title",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "owner_contact__name",
        )
    )
    return Later(rows, lambda rows: _slipped(named(rows)))


def _slipped(rows):
    if not rows:
        return None
    plan = path_maker("partnerships:detail")
    items = [
        Item(
            text=f"{r.workstream__partnership__title}: {r.title}",
            link=plan(r.workstream__partnership_id) + "#panel-integration",
            severity="red",
            badge="Slipped",
            meta=f"Due {r.due_date:%-d %b} · {r.workstream__title} · {_who(r)}",
        )
        for r in rows[:50]
    ]
    return SectionData(
        title="Milestones slipped this week",
        items=items,
        **left_out(rows, "slipped milestone", more=PORTFOLIO),
        partnership_ids={r.workstream__partnership_id for r in rows},
        headline=f"{len(rows)} milestone{'s' if len(rows) != 1 else ''} slipped",
    )


def _who(row):
    if row.owner_contact__name:
        return f"{row.owner_contact__name} (partner)"
    full = f"{row.owner__first_name or ''} {row.owner__last_name or ''}".strip()
    return full or row.owner__username or "no owner"
