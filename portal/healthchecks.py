"""The joint health check: the same five questions, answered by each side every quarter.

The gaps between the two sides matter most: a gap of 2 or more on any question is flagged."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from partnerships.ids import parse_whole

from .models import HealthCheck
from .models.healthchecks import QUESTIONS

GAP_FLAG = 2
COMMENT_MAX = 1000
QUARTERS_SHOWN = 8


def quarter_of(day):
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_label(quarter):
    return f"Q{(quarter.month - 1) // 3 + 1} {quarter.year}"


def parse(data):
    """Scores and comments from a form's data, or ValidationError naming each bad field."""
    values, errors = {}, {}
    for field, question in QUESTIONS:
        raw = (data.get(field) or "").strip()
        label = question.split(":")[0]
        if not raw:
            errors[field] = f"{label}: choose a score from 1 to 5."
        elif parse_whole(raw, minimum=1, maximum=5) is None:
            errors[field] = f"{label}: “{raw}” is not a score; use a whole number from 1 to 5."
        else:
            values[field] = parse_whole(raw)
        comment = (data.get(f"{field}_comment") or "").strip()
        if len(comment) > COMMENT_MAX:
            errors[f"{field}_comment"] = (
                f"{label}: keep the comment under {COMMENT_MAX} characters ({len(comment)} now)."
            )
        values[f"{field}_comment"] = comment
    if errors:
        raise ValidationError(errors)
    return values


def save(*, partnership, side, data, by, today=None):
    """One side's answers for the current quarter (answering again replaces them)."""
    values = parse(data)
    quarter = quarter_of(today or timezone.localdate())
    check, _ = HealthCheck.objects.update_or_create(
        partnership=partnership,
        quarter=quarter,
        side=side,
        defaults={**values, "answered_by": by, "answered_at": timezone.now()},
    )
    return check


def comparison(partnership):
    """Quarters (newest first) with each side's scores, the gaps and the flags, plus the
    points of the chart (average score per side over quarters, oldest first)."""
    checks = HealthCheck.objects.filter(partnership=partnership).order_by("-quarter")[
        : QUARTERS_SHOWN * 2
    ]
    by_quarter = {}
    for c in checks:
        by_quarter.setdefault(c.quarter, {})[c.side] = c
    quarters = []
    for quarter, sides in sorted(by_quarter.items(), reverse=True):
        ours, theirs = sides.get("ours"), sides.get("partner")
        rows = []
        for field, question in QUESTIONS:
            a = getattr(ours, field) if ours else None
            b = getattr(theirs, field) if theirs else None
            gap = abs(a - b) if a is not None and b is not None else None
            rows.append(
                {
                    "field": field,
                    "question": question,
                    "ours": a,
                    "partner": b,
                    "ours_comment": getattr(ours, f"{field}_comment", "") if ours else "",
                    "partner_comment": getattr(theirs, f"{field}_comment", "") if theirs else "",
                    "gap": gap,
                    "flagged": gap is not None and gap >= GAP_FLAG,
                }
            )
        quarters.append(
            {
                "quarter": quarter,
                "label": quarter_label(quarter),
                "ours": ours,
                "partner": theirs,
                "rows": rows,
                "flagged": [r for r in rows if r["flagged"]],
            }
        )
    return quarters


def average(check):
    return sum(getattr(check, f) for f, _ in QUESTIONS) / len(QUESTIONS) if check else None
