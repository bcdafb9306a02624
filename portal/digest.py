"""The digest's "Health check gaps" section: partnerships where both sides answered this
quarter's joint health check and differ by 2 or more on a question, once the second side's
answers came in during the week."""

from django.urls import reverse

from partnerships.later import Later, deferrable, named

from . import healthchecks
from .models import HealthCheck
from .models.healthchecks import QUESTIONS

TITLE = "Joint health check gaps"


@deferrable
def health_gaps(user, partnership_ids, week_start, week_end):
    from digests.sections import ids_param

    quarter = healthchecks.quarter_of(week_end.date())
    checks = HealthCheck.objects.filter(
        partnership_id__in=ids_param(partnership_ids), quarter=quarter
    ).values(
        "partnership_id",
        "partnership__title",
        "side",
        "answered_at",
        *(field for field, _ in QUESTIONS),
    )
    return Later(checks, lambda rows: _section(named(rows), quarter, week_start, week_end))


def _section(checks, quarter, week_start, week_end):
    from digests.sections import MAX_ITEMS, Item, SectionData

    pairs = {}
    for check in checks:
        pairs.setdefault(check.partnership_id, {})[check.side] = check
    items, reported = [], set()
    for sides in pairs.values():
        ours, theirs = sides.get("ours"), sides.get("partner")
        if not ours or not theirs:
            continue
        if not week_start <= max(ours.answered_at, theirs.answered_at) < week_end:
            continue  # reported in the week the gap appeared
        gaps = [
            (label.split(":")[0], getattr(ours, f), getattr(theirs, f))
            for f, label in QUESTIONS
            if abs(getattr(ours, f) - getattr(theirs, f)) >= healthchecks.GAP_FLAG
        ]
        if not gaps:
            continue
        reported.add(ours.partnership_id)
        items.append(
            Item(
                text=f"{ours.partnership__title}: "
                + "; ".join(f"{q} us {a}, them {b}" for q, a, b in gaps),
                link=reverse("partner_access:healthcheck", args=[ours.partnership_id]),
                severity="amber",
                badge=f"{len(gaps)} gap{'s' if len(gaps) != 1 else ''}",
                meta=f"{healthchecks.quarter_label(quarter)} · a gap of 2 or more is worth a talk",
            )
        )
    if not items:
        return None
    return SectionData(
        title=TITLE,
        items=items[:MAX_ITEMS],
        omitted=max(len(items) - MAX_ITEMS, 0),
        partnership_ids=reported,
    )
