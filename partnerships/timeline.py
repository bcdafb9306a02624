"""Recent activity on a partnership, merged from the sources the apps declare.

A source is a ``plugins.TimelineSource``: ``fn(partnership, limit) -> list[Event]`` returning
its newest events (one query).
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from .plugins import contributed


@dataclass(frozen=True)
class Event:
    when: datetime
    kind: str  # short label shown as a badge, e.g. "Stage", "Measurement"
    title: str
    detail: str = ""
    url: str = ""
    tone: str = ""


def as_datetime(value):
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time(12)))
    raise TypeError(value)


def recent(partnership, *, limit=15):
    sources = contributed("timeline")
    events = [event for source in sources for event in source.fn(partnership, limit)]
    return sorted(events, key=lambda e: e.when, reverse=True)[:limit]


def stage_moves(partnership, limit):
    from .models import StageMove

    moves = StageMove.objects.filter(partnership=partnership).select_related("moved_by")[:limit]
    return [
        Event(
            m.moved_at,
            "Stage",
            f"{m.get_from_stage_display()} → {m.get_to_stage_display()}"
            + (" (forced)" if m.forced else ""),
            m.reason,
            tone="red" if m.forced else "blue",
        )
        for m in moves
    ]


def interactions(partnership, limit):
    from .models import Interaction

    rows = Interaction.objects.filter(partnership=partnership)[:limit]
    return [
        Event(
            as_datetime(i.occurred_on),
            i.get_kind_display(),
            i.subject,
            i.outcome,
            tone="red" if i.is_open_conflict else "",
        )
        for i in rows
    ]


def amendments(partnership, limit):
    from .models import Amendment

    rows = Amendment.objects.filter(agreement__partnership=partnership)[:limit]
    return [
        Event(a.created_at, "Amendment", "Agreement amended", a.reason, tone="amber") for a in rows
    ]
