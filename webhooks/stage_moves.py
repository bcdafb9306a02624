"""Stage moves, reported to the webhooks that follow them.

The base app never imports this one: entering any stage runs ``on_enter`` (a
``plugins.OnEnter`` for every stage), in the move's transaction, right after the move is saved.
"""

from partnerships.models import Stage, StageMove

from .events import Occurrence, emit, followed
from .models import Event

TONES = {Stage.ENDED: "red", Stage.ACTIVE: "green"}


def on_enter(partnership, *, by, now):
    if not followed([Event.STAGE_MOVED]):
        return 0  # one query, and the move is not read
    move = (
        StageMove.objects.filter(partnership=partnership)
        .select_related("moved_by")
        .order_by("-moved_at", "-pk")
        .first()
    )
    if move is None:
        return 0
    return emit(occurrence(partnership, move))


def occurrence(partnership, move):
    from_label = Stage(move.from_stage).label if move.from_stage else "—"
    to_label = Stage(move.to_stage).label
    who = move.moved_by.get_full_name() or move.moved_by.username if move.moved_by else "Concord"
    facts = [("From", from_label), ("To", to_label), ("Moved by", who)]
    if move.reason:
        facts.append(("Reason", move.reason))
    if move.forced:
        facts.append(("Forced past", "; ".join(move.unmet_conditions) or "—"))
    return Occurrence(
        event=Event.STAGE_MOVED,
        source=f"stage-move:{move.pk}",
        partnership=partnership,
        title=f"{partnership.title} moved to {to_label}",
        text=f"{who} moved {partnership.title} from {from_label} to {to_label}.",
        url=partnership.get_absolute_url(),
        facts=tuple(facts),
        data={
            "stage": {
                "from": move.from_stage,
                "to": move.to_stage,
                "reason": move.reason,
                "forced": move.forced,
                "moved_by": who,
            }
        },
        at=move.moved_at,
        tone=TONES.get(move.to_stage, ""),
    )
