"""Recent activity on a partnership, merged from sources each app registers.

A source is ``fn(partnership, limit) -> list[Event]`` returning its newest events (one query).
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone


@dataclass(frozen=True)
class Event:
    when: datetime
    kind: str  # short label shown as a badge, e.g. "Stage", "Measurement"
    title: str
    detail: str = ""
    url: str = ""
    tone: str = ""


_sources = {}


def register_source(key, fn):
    _sources[key] = fn


def as_datetime(value):
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time(12)))
    raise TypeError(value)


def recent(partnership, *, limit=15):
    events = [event for source in _sources.values() for event in source(partnership, limit)]
    return sorted(events, key=lambda e: e.when, reverse=True)[:limit]


def _stage_moves(partnership, limit):
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


def _interactions(partnership, limit):
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


def _amendments(partnership, limit):
    from .models import Amendment

    rows = Amendment.objects.filter(agreement__partnership=partnership)[:limit]
    return [
        Event(a.created_at, "Amendment", "Agreement amended", a.reason, tone="amber") for a in rows
    ]


register_source("stage_moves", _stage_moves)
register_source("interactions", _interactions)
register_source("amendments", _amendments)
