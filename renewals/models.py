"""A renewal decision: the pack assembled for it, the recommendation and the executive's
decision, which moves the partnership's stage."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from partnerships.models import Partnership, Stage


class Decision(models.TextChoices):
    RENEW = "renew", "Renew"
    EXPAND = "expand", "Expand"
    RENEGOTIATE = "renegotiate", "Renegotiate"
    EXIT = "exit", "Exit"


# Where each decision takes the partnership: renewing or expanding carries on in Active,
# renegotiating opens the Renewal stage (the terms are worked out there), exiting ends it.
DECISION_STAGE = {
    Decision.RENEW: Stage.ACTIVE,
    Decision.EXPAND: Stage.ACTIVE,
    Decision.RENEGOTIATE: Stage.RENEWAL,
    Decision.EXIT: Stage.ENDED,
}


class DecisionPack(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="decision_packs"
    )
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when Concord opened it as the notice period came near.",
    )
    why = models.CharField(max_length=200)
    # The agreement's dates when the pack was opened: what the decision was about.
    agreement_end = models.DateField(null=True, blank=True)
    notice_deadline = models.DateField(null=True, blank=True)
    recommendation = models.TextField(blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recommended_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    stage_before = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    stage_after = models.CharField(max_length=20, choices=Stage.choices, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            # One pack waiting for a decision per partnership: asking again shows that one.
            models.UniqueConstraint(
                fields=["partnership"],
                condition=Q(decision=""),
                name="decision_pack_one_open",
            ),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decided_at__isnull=False),
                name="decision_pack_decided_when",
            ),
        ]

    def __str__(self):
        return f"Decision pack for {self.partnership.title}, {self.opened_at:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("renewals:pack", args=[self.partnership_id])

    @property
    def is_open(self):
        return not self.decision
