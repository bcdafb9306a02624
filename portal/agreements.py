"""Objectives agreed by both sides."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import ObjectiveAgreement, ObjectiveComment
from .models.objectives import objective_terms


@dataclass
class AgreementState:
    objective: object
    ours_by: object = None
    ours_at: object = None
    partner_by: object = None
    partner_at: object = None

    @property
    def agreed(self):
        return bool(self.ours_at and self.partner_at)

    @property
    def label(self):
        return "Agreed" if self.agreed else "Proposed"

    @property
    def waiting_on(self):
        if self.agreed:
            return ""
        if not self.ours_at and not self.partner_at:
            return "both sides"
        return "us" if not self.ours_at else "the partner"


def state_of(objective, agreement):
    """Each side's agreement, counted only if it was given to the objective as it reads now."""
    state = AgreementState(objective)
    if agreement is None:
        return state
    terms = objective_terms(objective)
    if agreement.ours_at and agreement.ours_terms == terms:
        state.ours_by, state.ours_at = agreement.ours_by, agreement.ours_at
    if agreement.partner_at and agreement.partner_terms == terms:
        state.partner_by, state.partner_at = agreement.partner_by, agreement.partner_at
    return state


def states(objectives):
    """[AgreementState] for ``objectives`` (one query for their agreements)."""
    objectives = list(objectives)
    by_objective = {
        a.objective_id: a
        for a in ObjectiveAgreement.objects.filter(objective__in=objectives).select_related(
            "ours_by", "partner_by"
        )
    }
    return [state_of(o, by_objective.get(o.pk)) for o in objectives]


def agree(*, objective, side, by, now=None):
    now = now or timezone.now()
    agreement, _ = ObjectiveAgreement.objects.get_or_create(objective=objective)
    terms = objective_terms(objective)
    if side == "ours":
        agreement.ours_by, agreement.ours_at, agreement.ours_terms = by, now, terms
    elif side == "partner":
        agreement.partner_by, agreement.partner_at, agreement.partner_terms = by, now, terms
    else:
        raise ValueError(side)
    agreement.save()
    return agreement


def propose_change(*, objective, side, by, comment, now=None):
    """A side asks for a change: its comment is kept and the objective is proposed again."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say what should change."})
    now = now or timezone.now()
    with transaction.atomic():
        ObjectiveComment.objects.create(
            objective=objective,
            side=side,
            by=by,
            comment=comment,
            proposes_change=True,
            created_at=now,
        )
        ObjectiveAgreement.objects.filter(objective=objective).update(
            ours_at=None,
            ours_by=None,
            ours_terms="",
            partner_at=None,
            partner_by=None,
            partner_terms="",
        )
