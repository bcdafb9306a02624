"""Read-only functions other apps may call (the governance app's public surface).

Each takes many partnerships at once and runs a constant number of queries.
"""

from django.db.models import Case, Count, Max, OuterRef, Q, Subquery, Sum, When

from partnerships.aggregates import ids_param, read_together

from .models import (
    CLEARED,
    CONCLUDED,
    OPEN_ACTION,
    OPEN_ITEM,
    ActionItem,
    Checklist,
    Meeting,
    Risk,
    RiskStatus,
    score_level,
)


def percent(part, whole):
    """Whole-number percent, 0 for an empty whole."""
    return round(100 * part / whole) if whole else 0


def dd_progress(items):
    """Weighted percent of checklist items concluded (passed, failed or waived)."""
    total = sum(item.weight for item in items)
    done = sum(item.weight for item in items if item.status in CONCLUDED)
    return percent(done, total)


def dd_score(items):
    """Weighted average rating of the rated items, as a percent of the best rating (5).

    None until at least one item is rated.
    """
    rated = [item for item in items if item.rating]
    if not rated:
        return None
    return percent(sum(i.weight * i.rating for i in rated), sum(i.weight * 5 for i in rated))


def overdue_item_filter(today):
    """On checklists: their items still open past the item's due date, or the checklist's when
    the item has none, unless the checklist is signed off."""
    return (
        Q(items__status__in=OPEN_ITEM)
        & Q(signed_off_at__isnull=True)
        & (Q(items__due_date__lt=today) | Q(items__due_date__isnull=True, due_date__lt=today))
    )


def _dd_part(partnership_ids, today):
    rows = (
        Checklist.objects.filter(partnership_id__in=partnership_ids)
        .annotate(
            total_weight=Sum("items__weight"),
            done_weight=Sum("items__weight", filter=Q(items__status__in=CONCLUDED)),
            required_open=Count(
                "items", filter=Q(items__required=True) & ~Q(items__status__in=CLEARED)
            ),
            signed_off=Case(When(signed_off_at__isnull=False, then=1), default=0),
        )
        .order_by()
        .values("partnership_id", "signed_off", "total_weight", "done_weight", "required_open")
    )
    return rows, ["signed_off", "total_weight", "done_weight", "required_open"]


def _risk_part(partnership_ids):
    rows = (
        Risk.objects.filter(partnership_id__in=partnership_ids)
        .exclude(status=RiskStatus.CLOSED)
        .values("partnership_id")
        .annotate(open_risks=Count("pk"), max_score=Max("score"))
        .order_by()
    )
    return rows, ["open_risks", "max_score"]


def _overdue_actions_part(partnership_ids, today):
    rows = (
        ActionItem.objects.filter(
            partnership_id__in=partnership_ids, status__in=OPEN_ACTION, due_date__lt=today
        )
        .values("partnership_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return rows, ["n"]


def health_input_reads(partnership_ids, *, today):
    """What health_inputs reads, as parts for ``partnerships.aggregates.read_together``: a
    caller with counts of its own reads them all in one query, then calls
    ``health_inputs_from``."""
    ids = ids_param(partnership_ids)
    return {
        "governance.dd": _dd_part(ids, today),
        "governance.risks": _risk_part(ids),
        "governance.overdue_actions": _overdue_actions_part(ids, today),
    }


def health_inputs_from(read, partnership_ids):
    """health_inputs' result from what read_together returned for health_input_reads."""
    dd, risks = read["governance.dd"], read["governance.risks"]
    actions = read["governance.overdue_actions"]
    out = {}
    for pid in partnership_ids:
        checklist = dd.get(pid)
        risk = risks.get(pid, {})
        out[pid] = {
            "overdue_actions": actions.get(pid, {}).get("n", 0),
            "open_risks": risk.get("open_risks", 0),
            "max_risk_score": risk.get("max_score") or 0,
            "dd_required_open": checklist["required_open"] if checklist else 0,
            "dd_progress": percent(checklist["done_weight"] or 0, checklist["total_weight"] or 0)
            if checklist
            else None,
            "dd_signed_off": bool(checklist and checklist["signed_off"]),
        }
    return out


def health_inputs(partnership_ids, *, today):
    """Governance facts that feed the health score, for each partnership id.

    Returns {partnership_id: {
        "overdue_actions": int,      # open action items past their due date
        "open_risks": int,           # risks not closed
        "max_risk_score": int,       # highest likelihood x impact among open risks, 0 if none
        "dd_required_open": int,     # required due-diligence items neither passed nor waived
        "dd_progress": int | None,   # percent of checklist items done, None if DD never started
        "dd_signed_off": bool,
    }} with an entry for every id asked for.

    "Done" means concluded (passed, failed or waived), weighted by each item's weight — the same
    figure the due-diligence panel shows. One query whatever the number of ids.
    """
    ids = list(partnership_ids)
    return health_inputs_from(read_together(health_input_reads(ids, today=today)), ids)


def with_meeting_dates(queryset, *, today):
    """Cadences annotated with ``last_held`` and ``next_scheduled`` (lazy; one query)."""
    same_kind = Meeting.objects.filter(partnership=OuterRef("partnership"), kind=OuterRef("kind"))
    return queryset.annotate(
        last_held=Subquery(
            same_kind.filter(held_on__lte=today).order_by("-held_on").values("held_on")[:1]
        ),
        next_scheduled=Subquery(
            same_kind.filter(held_on__gt=today).order_by("held_on").values("held_on")[:1]
        ),
    )


def cadences_with_dates(queryset, *, today):
    """Cadences annotated with the last meeting held and the next one planned (one query).

    Each cadence gets ``last_held``, ``next_scheduled``, ``due`` (the next due date) and
    ``overdue`` (no meeting held or planned by its due date).
    """
    cadences = list(with_meeting_dates(queryset, today=today))
    for cadence in cadences:
        cadence.due = cadence.next_due(
            last_held=cadence.last_held, next_scheduled=cadence.next_scheduled
        )
        cadence.overdue = cadence.is_active and cadence.due < today
    return cadences


def next_meeting_due(cadences):
    dates = [c.due for c in cadences if c.is_active]
    return min(dates) if dates else None


def heat_map(risks_queryset):
    """5x5 counts of the given risks: rows impact 5→1, columns likelihood 1→5 (one query).

    Returns a list of rows, each {"impact": i, "cells": [{"likelihood", "impact", "score",
    "level", "count"}]}, and the total.
    """
    counts = {
        (row["likelihood"], row["impact"]): row["n"]
        for row in risks_queryset.values("likelihood", "impact").annotate(n=Count("pk")).order_by()
    }
    rows = []
    for impact in range(5, 0, -1):
        cells = []
        for likelihood in range(1, 6):
            score = likelihood * impact
            cells.append(
                {
                    "likelihood": likelihood,
                    "impact": impact,
                    "score": score,
                    "level": score_level(score),
                    "count": counts.get((likelihood, impact), 0),
                }
            )
        rows.append({"impact": impact, "cells": cells})
    return rows, sum(counts.values())
