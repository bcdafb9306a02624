"""What governance adds to the weekly digest and to the date reminders (see digests/README.md)."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from digests.needs import per_partnership, summarised_for
from digests.sections import (
    MAX_ITEMS,
    PORTFOLIO,
    Item,
    SectionData,
    ids_param,
    left_out,
    see_all,
)
from partnerships.later import Later, deferrable, named
from partnerships.links import path_maker

from .models import (
    OPEN_ACTION,
    ActionItem,
    Checklist,
    MeetingCadence,
    MeetingKind,
    add_months,
    meeting_due,
)
from .selectors import with_meeting_dates

REVIEW_KINDS = (MeetingKind.QBR, MeetingKind.EXECUTIVE)


def _who(action):
    if action.owner_id:
        full = f"{action.owner__first_name} {action.owner__last_name}".strip()
        return full or action.owner__username
    if action.owner_contact_id:
        return f"{action.owner_contact__name} ({action.partnership__partner__name})"
    return "no owner"


def _late(delta):
    return "1 day late" if delta.days == 1 else f"{delta.days} days late"


@deferrable
def overdue_actions(user, partnership_ids, week_start, week_end):
    today = week_end.date()
    # Light rows for all of them (the count and the partnerships), items for the first.
    actions = (
        ActionItem.objects.filter(
            partnership_id__in=ids_param(partnership_ids),
            status__in=OPEN_ACTION,
            due_date__lt=today,
        )
        .order_by("due_date", "pk")
        .values(
            "title",
            "due_date",
            "partnership_id",
            "partnership__title",
            "partnership__partner__name",
            "owner_id",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "owner_contact_id",
            "owner_contact__name",
        )
    )
    return Later(actions, lambda rows: _overdue_actions(user, named(rows), today))


def _overdue_actions(user, actions, today):
    # The recipient's own are in "Needs you".
    actions = [a for a in actions if a.owner_id != user.pk]
    meetings = path_maker("governance:meetings")
    if summarised_for(user, actions):
        items, more = per_partnership(actions, "overdue action item", meetings, today)
        return SectionData(
            title="Overdue action items",
            intro="Other people's, counted per partnership.",
            items=items,
            omitted=more,
            omitted_note=f"And {more:,} more partnerships with some." if more else "",
            **see_all(PORTFOLIO, more > 0),
            partnership_ids={a.partnership_id for a in actions},
        )
    items = [
        Item(
            text=f"{a.partnership__title}: {a.title}",
            link=meetings(a.partnership_id),
            severity="red" if (today - a.due_date).days > 14 else "amber",
            badge=_late(today - a.due_date),
            meta=f"Due {a.due_date:%-d %b} · {_who(a)}",
        )
        for a in actions[:MAX_ITEMS]
    ]
    return SectionData(
        title="Overdue action items",
        items=items,
        **left_out(actions, "overdue action item", more=PORTFOLIO),
        partnership_ids={a.partnership_id for a in actions},
    )


@deferrable
def review_dates(today, partnership_ids=None):
    """Quarterly and executive reviews due from their cadence (one query, ``deferrable``)."""
    reviews = MeetingCadence.objects.filter(is_active=True, kind__in=REVIEW_KINDS)
    if partnership_ids is not None:
        reviews = reviews.filter(partnership_id__in=ids_param(partnership_ids))
    rows = with_meeting_dates(reviews, today=today).values(
        "partnership_id",
        "partnership__title",
        "kind",
        "frequency",
        "start_date",
        "last_held",
        "next_scheduled",
    )
    meetings = path_maker("governance:meetings")

    def dates(rows):
        out = []
        for row in rows:
            pid = row["partnership_id"]
            due = meeting_due(
                row["frequency"], row["start_date"], row["last_held"], row["next_scheduled"]
            )
            if due >= today:
                kind = MeetingKind(row["kind"]).label.lower()
                label = f"{row['partnership__title']}: {kind} due"
                out.append((pid, "performance_review", due, label, meetings(pid)))
        return out

    return Later(rows, dates)


@deferrable
def reassessment_dates(today, partnership_ids=None):
    """Signed-off due diligence is re-assessed every DD_REASSESS_MONTHS (one query,
    ``deferrable``)."""
    months = getattr(settings, "DD_REASSESS_MONTHS", 12)
    checklists = Checklist.objects.filter(signed_off_at__isnull=False)
    if partnership_ids is not None:
        checklists = checklists.filter(partnership_id__in=ids_param(partnership_ids))
    rows = checklists.exclude(partnership__stage="ended").values(
        "partnership_id", "partnership__title", "signed_off_at"
    )

    def dates(rows):
        out = []
        for row in rows:
            pid = row["partnership_id"]
            due = add_months(timezone.localtime(row["signed_off_at"]).date(), months)
            if due >= today:
                out.append(
                    (
                        pid,
                        "dd_reassessment",
                        due,
                        f"{row['partnership__title']}: due diligence re-assessment",
                        reverse("governance:dd", kwargs={"pk": pid}),
                    )
                )
        return out

    return Later(rows, dates)
