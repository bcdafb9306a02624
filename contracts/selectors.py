"""Reads: obligations with their occurrences, documents with their versions.

Each read is one query whatever the number of rows: an obligation comes with the due dates
already fulfilled (an array aggregate), and its occurrences are worked out in Python.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Max, Prefetch, Q

from partnerships.aggregates import ids_param
from partnerships.models import Stage

from .models import Document, DocumentVersion, Fulfilment, Obligation, ObligationChange
from .occurrences import due_dates, next_due

# An occurrence is "due" (on the page, on "My work") from this many days before its date.
DUE_SOON_DAYS = 30


@dataclass(frozen=True)
class Occurrence:
    obligation: Obligation
    due_date: date
    fulfilled: bool

    def is_overdue(self, today):
        return not self.fulfilled and self.due_date < today


def with_fulfilled(queryset, *, since=None):
    """``queryset`` of obligations, each with ``fulfilled_dates``: the due dates kept (from
    ``since`` on, when only those matter)."""
    kept = Q(fulfilments__due_date__gte=since) if since else None
    return queryset.annotate(
        fulfilled_dates=ArrayAgg("fulfilments__due_date", distinct=True, default=[], filter=kept)
    )


def open_occurrences(obligation, today, *, horizon_days=DUE_SOON_DAYS):
    """The occurrences of ``obligation`` not yet kept, due up to ``today`` + ``horizon_days``
    (so every overdue one, and those coming up), earliest first."""
    if obligation.status != Obligation.Status.ACTIVE:
        return []
    kept = set(obligation.fulfilled_dates)
    until = today + timedelta(days=horizon_days)
    dates = due_dates(
        obligation.first_due, obligation.recurrence, until=until, ends_on=obligation.ends_on
    )
    return [Occurrence(obligation, d, False) for d in dates if d not in kept]


def next_open_due(obligation, after):
    """The first due date on or after ``after`` not kept yet, or None."""
    kept = set(obligation.fulfilled_dates)
    first, recurrence, ends_on = obligation.first_due, obligation.recurrence, obligation.ends_on
    day = next_due(first, recurrence, after=after, ends_on=ends_on)
    while day is not None and day in kept:
        day = next_due(first, recurrence, after=day + timedelta(days=1), ends_on=ends_on)
    return day


def standing(obligation, today):
    """How the obligation stands, for a badge: (label, tone, overdue count, next due date),
    the next due date being the earliest not kept (an overdue one first)."""
    if obligation.status == Obligation.Status.ENDED:
        return "Ended", "", 0, None
    pending = open_occurrences(obligation, today)
    overdue = sum(1 for o in pending if o.is_overdue(today))
    if overdue:
        return "Late", "red", overdue, pending[0].due_date
    if pending:
        return "Due soon", "amber", 0, pending[0].due_date
    upcoming = next_open_due(obligation, today)
    if upcoming is None:
        return "Fulfilled", "green", 0, None
    return "On track", "green", 0, upcoming


def partnership_obligations(partnership):
    return list(
        with_fulfilled(
            Obligation.objects.filter(partnership=partnership).select_related(
                "owner", "owner_contact"
            )
        ).order_by("status", "first_due", "pk")
    )


def partnership_documents(partnership):
    """Documents of the partnership's agreement, each with ``versions_list`` (newest first)."""
    return list(
        Document.objects.filter(agreement__partnership=partnership)
        .select_related("amendment")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=DocumentVersion.objects.select_related("uploaded_by"),
                to_attr="versions_list",
            )
        )
        .annotate(version_count=Count("versions"), last_upload=Max("versions__uploaded_at"))
    )


def obligation_history(partnership, *, limit=None):
    rows = ObligationChange.objects.filter(partnership=partnership).select_related(
        "obligation", "amendment", "changed_by"
    )
    return list(rows[:limit] if limit else rows)


def owned_open_occurrences(user, today):
    """The user's obligations with an occurrence overdue or due soon: the earliest of each."""
    obligations = with_fulfilled(
        Obligation.objects.filter(owner=user, status=Obligation.Status.ACTIVE).select_related(
            "partnership"
        )
    )
    out = []
    for obligation in obligations:
        pending = open_occurrences(obligation, today)
        if pending:
            out.append(pending[0])
    return out


def due_within(today, days, *, partnership_ids=None):
    """Every open occurrence due from ``today`` to ``today`` + ``days``, over the portfolio."""
    # Only those that can fall due in the window: started by its end, not ended before today.
    obligations = Obligation.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        status=Obligation.Status.ACTIVE,
        first_due__lte=today + timedelta(days=days),
    ).exclude(partnership__stage=Stage.ENDED)
    if partnership_ids is not None:
        obligations = obligations.filter(partnership_id__in=ids_param(partnership_ids))
    obligations = with_fulfilled(obligations.select_related("partnership"), since=today)
    out = []
    for obligation in obligations:
        for occurrence in open_occurrences(obligation, today, horizon_days=days):
            if occurrence.due_date >= today:
                out.append(occurrence)
    return out


def parse_day(value):
    """An occurrence's date as a form gives it back (ISO), already one of the choices."""
    return date.fromisoformat(value)


def recent_fulfilments(partnership, *, limit=20):
    return list(
        Fulfilment.objects.filter(obligation__partnership=partnership)
        .select_related("obligation", "recorded_by")
        .order_by("-recorded_at", "-pk")[:limit]
    )
