"""Governance columns, filters and tiles of the portfolio table (see partnerships/portfolio.py)."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from partnerships.portfolio import Column, Filter, Tile

from .models import (
    CONCLUDED,
    OPEN_ACTION,
    OPEN_ITEM,
    ActionItem,
    ChecklistItem,
    Risk,
    RiskStatus,
    score_level,
)
from .selectors import portfolio_summary


def _open_risks(partnership_ref="pk"):
    return Risk.objects.filter(partnership=OuterRef(partnership_ref)).exclude(
        status=RiskStatus.CLOSED
    )


def annotate_risk(queryset):
    top = _open_risks().order_by("-score").values("score")[:1]
    return queryset.annotate(max_open_risk=Coalesce(Subquery(top, output_field=IntegerField()), 0))


def annotate_dd(queryset):
    progress = (
        ChecklistItem.objects.filter(checklist__partnership=OuterRef("pk"))
        .order_by()
        .values("checklist__partnership")
        .annotate(p=Sum("weight", filter=Q(status__in=CONCLUDED), default=0) * 100 / Sum("weight"))
        .values("p")
    )
    return queryset.annotate(dd_progress=Subquery(progress, output_field=IntegerField()))


def decorate(rows):
    """Attach the page's governance figures (four queries for the whole page)."""
    summary = portfolio_summary([row.pk for row in rows], today=timezone.localdate())
    for row in rows:
        row.governance = summary.get(row.pk, {})
        row.risk_level = score_level(row.governance.get("max_open_risk_score") or 0)


def overdue_actions(today):
    return ActionItem.objects.filter(status__in=OPEN_ACTION, due_date__lt=today)


def overdue_dd_items(today):
    return ChecklistItem.objects.filter(
        status__in=OPEN_ITEM, checklist__signed_off_at__isnull=True
    ).filter(Q(due_date__lt=today) | Q(due_date__isnull=True, checklist__due_date__lt=today))


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
    counts = visible.order_by().aggregate(
        actions=Count(
            "pk", filter=Exists(overdue_actions(today).filter(partnership=OuterRef("pk")))
        ),
        dd=Count(
            "pk",
            filter=Exists(overdue_dd_items(today).filter(checklist__partnership=OuterRef("pk"))),
        ),
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
        "governance/cells/dd.html",
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
        "governance/cells/risk.html",
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
        "governance/cells/next_meeting.html",
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
