"""The stage machine: which moves exist, what each gate requires, and the move itself.

The apps add gate conditions by declaring ``plugins.Gate`` entries, so that this app never
imports them. A condition is a function ``(partnership) -> list[str]`` that returns what is
missing, in words a user can act on; an empty list means satisfied.
"""

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import Partnership, Stage, StageMove
from .plugins import contributed
from .roles import is_executive

TRANSITIONS = {
    Stage.PROSPECT: (Stage.DUE_DILIGENCE, Stage.ENDED),
    Stage.DUE_DILIGENCE: (Stage.NEGOTIATION, Stage.PROSPECT, Stage.ENDED),
    Stage.NEGOTIATION: (Stage.ACTIVE, Stage.DUE_DILIGENCE, Stage.ENDED),
    Stage.ACTIVE: (Stage.UNDER_REVIEW, Stage.RENEWAL, Stage.ENDED),
    Stage.UNDER_REVIEW: (Stage.ACTIVE, Stage.RENEWAL, Stage.ENDED),
    Stage.RENEWAL: (Stage.ACTIVE, Stage.ENDED),
    Stage.ENDED: (),
}


def gates(to_stage):
    """The declared gates into ``to_stage``, in app order (one per key: a later declaration of
    the same key replaces the earlier)."""
    found = {}
    for gate in contributed("gates"):
        if Stage(gate.to_stage) == Stage(to_stage):
            found.pop(gate.key, None)
            found[gate.key] = gate
    return list(found.values())


def gate_conditions(to_stage):
    return [gate.condition for gate in gates(to_stage)]


class StageMoveRefused(Exception):
    def __init__(self, missing):
        self.missing = list(missing)
        super().__init__("; ".join(self.missing))


@dataclass(frozen=True)
class MoveCheck:
    to_stage: str
    allowed: bool
    missing: list


def next_stages(partnership):
    return list(TRANSITIONS[Stage(partnership.stage)])


# A reason that tells the next reader why: a short sentence, not "ok" or "x".
REASON_MIN_WORDS = 3
REASON_MIN_CHARS = 15


def is_sentence(reason):
    reason = (reason or "").strip()
    return len(reason) >= REASON_MIN_CHARS and len(re.findall(r"\w+", reason)) >= REASON_MIN_WORDS


def missing_for(partnership, to_stage, *, reason=""):
    """Everything that stops ``partnership`` moving into ``to_stage`` (empty when it may)."""
    to_stage = Stage(to_stage)
    missing = []
    if to_stage == Stage.ENDED and not is_sentence(reason):
        missing.append(
            "Ending a partnership needs a reason of a short sentence at least (three words), "
            "so whoever reads its history knows why it ended."
        )
    for condition in gate_conditions(to_stage):
        missing.extend(condition(partnership))
    return missing


def check_moves(partnership):
    """The moves on offer from the current stage, each with what is missing (for the page)."""
    checks = []
    for stage in next_stages(partnership):
        missing = [m for condition in gate_conditions(stage) for m in condition(partnership)]
        checks.append(MoveCheck(stage, not missing, missing))
    return checks


def move_partnership(partnership, to_stage, *, by, reason="", force=False, now=None):
    """Move a partnership, or raise StageMoveRefused saying exactly what is missing.

    A forced move skips the gates (not the need for a reason) and is only for executives;
    what was missing is kept in the log.
    """
    to_stage = Stage(to_stage)
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
        from_stage = Stage(locked.stage)
        if to_stage == from_stage:
            raise StageMoveRefused([f"The partnership is already in {from_stage.label}."])
        if force and not is_executive(by):
            raise StageMoveRefused(["Only an executive can force a stage move."])
        if force and not is_sentence(reason):
            raise StageMoveRefused(
                ["A forced move needs a reason of a short sentence at least (three words)."]
            )
        unmet = []
        if to_stage not in TRANSITIONS[from_stage]:
            unmet.append(f"{from_stage.label} cannot move to {to_stage.label} directly.")
        unmet.extend(missing_for(locked, to_stage, reason=reason))
        if unmet and not force:
            raise StageMoveRefused(unmet)
        now = now or timezone.now()
        move = StageMove.objects.create(
            partnership=locked,
            from_stage=from_stage,
            to_stage=to_stage,
            moved_by=by,
            moved_at=now,
            reason=reason,
            forced=bool(force and unmet),
            unmet_conditions=unmet if force else [],
        )
        locked.stage = to_stage
        locked.stage_changed_at = now
        locked.save(update_fields=["stage", "stage_changed_at", "updated_at"])
        if to_stage == Stage.ENDED:
            # What was still open closes with the partnership, in the same transaction.
            for closer in closers():
                closer.close(locked, by=by, now=now, reason=reason)
        # What the new stage sets up, in the same transaction: a failure undoes the move.
        for entry in entered(to_stage):
            entry.fn(locked, by=by, now=now)
    partnership.stage = to_stage
    partnership.stage_changed_at = now
    return move


def entered(to_stage):
    """What entering ``to_stage`` sets up (``plugins.OnEnter``), in order."""
    found = [e for e in contributed("on_enter") if e.to_stage == to_stage]
    return sorted(found, key=lambda e: (e.order, e.key))


def closers():
    return sorted(contributed("on_end"), key=lambda c: (c.order, c.key))


def what_ending_closes(partnership):
    """What ending ``partnership`` would close, one line per kind of thing still open (for the
    confirmation the user sees before ending it)."""
    return [line for closer in closers() for line in closer.describe(partnership)]


# The base app's own gate conditions (declared in contributions.py).
def owner_assigned(partnership):
    if partnership.owner_id is None:
        return ["Assign a partnership owner."]
    return []


def describe_open_conflicts(partnership):
    count = _open_conflicts(partnership).count()
    if not count:
        return []
    return [f"{count} open conflict{'s' if count != 1 else ''} will be marked resolved."]


def close_open_conflicts(partnership, *, by, now, reason):
    return _open_conflicts(partnership).update(
        resolved_on=timezone.localdate(now),
        resolution=f"Closed when the partnership ended: {reason}"[:2000],
    )


def _open_conflicts(partnership):
    return partnership.interactions.filter(kind="conflict", resolved_on__isnull=True)


def has_objective(partnership):
    if not partnership.objectives.exists():
        return ["Agree at least one objective."]
    return []
