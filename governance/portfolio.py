"""Governance columns, filters and tiles of the portfolio table (see partnerships/portfolio.py)."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.safestring import mark_safe

from partnerships.plugins import Attention
from partnerships.portfolio import Column, Filter, Tile, cell_html, day

from .models import (
    CONCLUDED,
    OPEN_ACTION,
    OPEN_ITEM,
    ActionItem,
    Checklist,
    ChecklistItem,
    MeetingCadence,
    Risk,
    RiskStatus,
    score_level,
)
from .selectors import cadences_with_dates, next_meeting_due, overdue_item_filter, percent


def _open_risks(partnership_ref="pk"):
    return Risk.objects.filter(partnership=OuterRef(partnership_ref)).exclude(
        status=RiskStatus.CLOSED
    )


def _of_checklist(value):
    # The partnership's checklist (at most one) reduced to one value; NULL when DD never started.
    return Subquery(
        Checklist.objects.filter(partnership=OuterRef("pk")).annotate(v=value).values("v")[:1]
    )


def annotate_risk(queryset):
    top = _open_risks().order_by("-score").values("score")[:1]
    counted = _open_risks().order_by().values("partnership").annotate(n=Count("pk")).values("n")
    return queryset.annotate(
        max_open_risk=Coalesce(Subquery(top, output_field=IntegerField()), 0),
        open_risks=Coalesce(Subquery(counted, output_field=IntegerField()), 0),
    )


def annotate_dd(queryset):
    """``dd_progress`` to sort by, and what the cell shows: the weights concluded and in all,
    and the items overdue (each a subquery, evaluated only for the rows of the page)."""
    progress = (
        ChecklistItem.objects.filter(checklist__partnership=OuterRef("pk"))
        .order_by()
        .values("checklist__partnership")
        .annotate(p=Sum("weight", filter=Q(status__in=CONCLUDED), default=0) * 100 / Sum("weight"))
        .values("p")
    )
    # ``dd_progress`` is only sorted by (the cell shows the weights): as an alias, it is in the
    # statement only when the table is sorted by it, not one more subquery on every page.
    return queryset.alias(dd_progress=Subquery(progress, output_field=IntegerField())).annotate(
        dd_total_weight=_of_checklist(Sum("items__weight", default=0)),
        dd_done_weight=_of_checklist(
            Sum("items__weight", filter=Q(items__status__in=CONCLUDED), default=0)
        ),
        dd_overdue_items=_of_checklist(
            Count("items", filter=overdue_item_filter(timezone.localdate()))
        ),
    )


def decorate(rows):
    """The page's governance figures: the annotations above, and the next meeting due of each
    row's active cadences (one query for the page)."""
    today = timezone.localdate()
    cadences = cadences_with_dates(
        # Unordered: only the earliest due date counts (the default order joins partnerships).
        MeetingCadence.objects.filter(
            partnership_id__in=[row.pk for row in rows], is_active=True
        ).order_by(),
        today=today,
    )
    by_partnership = {}
    for cadence in cadences:
        by_partnership.setdefault(cadence.partnership_id, []).append(cadence)
    for row in rows:
        started = row.dd_total_weight is not None
        row.governance = {
            "dd_progress": percent(row.dd_done_weight, row.dd_total_weight) if started else None,
            "dd_overdue_items": row.dd_overdue_items or 0,
            "max_open_risk_score": row.max_open_risk,
            "open_risks": row.open_risks,
            "next_meeting_due": next_meeting_due(by_partnership.get(row.pk, [])),
        }
        row.risk_level = score_level(row.max_open_risk)
        due = row.governance["next_meeting_due"]
        row.governance["next_meeting_overdue"] = bool(due and due < today)


RISK_BADGE = {"high": "badge-red", "medium": "badge-amber"}


def _render_dd(row):
    progress = row.governance["dd_progress"]
    if progress is None:
        return mark_safe('<span class="muted">not started</span>')
    overdue = row.governance["dd_overdue_items"]
    late = cell_html(' · <span class="text-red">{} overdue</span>', overdue) if overdue else ""
    return cell_html(
        '<div class="progress" title="{p}% concluded"><span style="width: {p}%"></span></div>'
        "<small>{p}%{late}</small>",
        p=progress,
        late=late,
    )


def _render_risk(row):
    count = row.governance["open_risks"]
    if not count:
        return mark_safe('<span class="muted">none open</span>')
    return cell_html(
        '<span class="badge {}" title="Highest open risk score (likelihood × impact)">{}</span> '
        '<small class="muted">{} open</small>',
        RISK_BADGE.get(row.risk_level, "badge-green"),
        row.governance["max_open_risk_score"],
        count,
    )


def _render_next_meeting(row):
    due = row.governance["next_meeting_due"]
    if not due:
        return mark_safe('<span class="muted">no cadence</span>')
    late = mark_safe(' class="text-red"') if row.governance["next_meeting_overdue"] else ""
    return cell_html("<span{}>{}</span>", late, day(due))


def overdue_actions(today):
    return ActionItem.objects.filter(status__in=OPEN_ACTION, due_date__lt=today)


def overdue_dd_items(today):
    return ChecklistItem.objects.filter(
        status__in=OPEN_ITEM, checklist__signed_off_at__isnull=True
    ).filter(Q(due_date__lt=today) | Q(due_date__isnull=True, checklist__due_date__lt=today))


def overdue_action_count(today):
    """For the portfolio's default order: the partnership's governance actions past due."""
    counted = (
        overdue_actions(today)
        .filter(partnership=OuterRef("pk"))
        .order_by()
        .values("partnership")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


ATTENTION = [
    Attention(
        "governance.overdue",
        "the most overdue actions",
        overdue_action_count,
        order=30,
        descending=True,
    )
]


def apply_overdue(queryset, value):
    today = timezone.localdate()
    if value == "actions":
        return queryset.filter(Exists(overdue_actions(today).filter(partnership=OuterRef("pk"))))
    if value == "dd":
        matching = overdue_dd_items(today).filter(checklist__partnership=OuterRef("pk"))
        return queryset.filter(Exists(matching))
    if value == "risk_review":
        late = _open_risks().filter(review_date__lt=today)
        return queryset.filter(Exists(late))
    return queryset


def attention_tiles(visible, today):
    """Partnerships with overdue actions or due diligence, in one query: each overdue set is
    read once and hashed, not looked up by one EXISTS per partnership."""
    counts = visible.order_by().aggregate(
        actions=Count("pk", filter=Q(pk__in=overdue_actions(today).values("partnership_id"))),
        dd=Count("pk", filter=Q(pk__in=overdue_dd_items(today).values("checklist__partnership"))),
    )
    return [
        Tile(
            "With overdue actions",
            counts["actions"],
            "overdue=actions",
            tone="red" if counts["actions"] else "",
            group="Attention",
        ),
        Tile(
            "With overdue due diligence",
            counts["dd"],
            "overdue=dd",
            tone="amber" if counts["dd"] else "",
            group="Attention",
        ),
    ]


COLUMNS = [
    Column(
        "dd",
        "Due diligence",
        _render_dd,
        export=lambda row: row.governance.get("dd_progress"),
        export_label="Due diligence %",
        annotate=annotate_dd,
        sort="dd_progress",
        decorate=decorate,
        order=60,
        css="hide-sm nowrap",
    ),
    Column(
        "risk",
        "Top risk",
        _render_risk,
        export=lambda row: row.governance.get("max_open_risk_score"),
        export_label="Top open risk score",
        annotate=annotate_risk,
        sort="max_open_risk",
        order=70,
        css="hide-sm",
    ),
    Column(
        "next_meeting",
        "Next meeting",
        _render_next_meeting,
        export=lambda row: row.governance.get("next_meeting_due"),
        order=80,
        css="hide-sm nowrap",
    ),
]

OVERDUE_FILTER = Filter(
    "overdue",
    "Overdue",
    lambda: [
        ("actions", "Action items"),
        ("dd", "Due-diligence items"),
        ("risk_review", "Risk reviews"),
    ],
    apply_overdue,
    order=50,
)
