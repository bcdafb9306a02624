from django.conf import settings
from django.db import models
from django.utils import timezone

from partnerships.models import Objective

SIDES = [("ours", "Our side"), ("partner", "The partner")]


def objective_terms(objective):
    """What both sides agree to; a change to any of these voids both agreements."""
    return "|".join(
        str(v)
        for v in (
            objective.title,
            objective.description,
            objective.side,
            objective.goal_id,
            objective.target_date,
        )
    )


class ObjectiveAgreement(models.Model):
    """Who on each side agreed an objective, when, and to which wording.

    An agreement counts only while the objective still reads as it did when it was given, so
    a changed objective is "proposed" again until both sides agree anew."""

    objective = models.OneToOneField(Objective, on_delete=models.CASCADE, related_name="agreement")
    ours_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ours_at = models.DateTimeField(null=True, blank=True)
    ours_terms = models.TextField(blank=True)
    partner_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    partner_at = models.DateTimeField(null=True, blank=True)
    partner_terms = models.TextField(blank=True)

    def __str__(self):
        return f"Agreement on {self.objective}"


class ObjectiveComment(models.Model):
    """A side's comment on an objective; a proposed change withdraws that side's agreement."""

    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="portal_comments"
    )
    side = models.CharField(max_length=10, choices=SIDES)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    comment = models.TextField()
    proposes_change = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.comment[:60]
