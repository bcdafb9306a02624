"""Risks, their scores and the history of score changes."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Partnership

from .scales import SCALE_VALIDATORS


class RiskCategory(models.TextChoices):
    FINANCIAL = "financial", "Financial exposure"
    REPUTATIONAL = "reputational", "Reputational"
    OPERATIONAL = "operational", "Operational"
    LEGAL = "legal", "Legal / compliance"
    STRATEGIC = "strategic", "Strategic"
    SECURITY = "security", "Security"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    MITIGATING = "mitigating", "Being mitigated"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"


LIKELIHOOD_CHOICES = [
    (1, "1 – rare"),
    (2, "2 – unlikely"),
    (3, "3 – possible"),
    (4, "4 – likely"),
    (5, "5 – almost certain"),
]


IMPACT_CHOICES = [
    (1, "1 – negligible"),
    (2, "2 – minor"),
    (3, "3 – moderate"),
    (4, "4 – major"),
    (5, "5 – severe"),
]


def score_level(score):
    """Heat-map band of a likelihood x impact score: high, medium or low."""
    if score >= 15:
        return "high"
    if score >= 8:
        return "medium"
    return "low"


class Risk(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=RiskCategory.choices)
    likelihood = models.PositiveSmallIntegerField(
        choices=LIKELIHOOD_CHOICES, validators=SCALE_VALIDATORS
    )
    impact = models.PositiveSmallIntegerField(choices=IMPACT_CHOICES, validators=SCALE_VALIDATORS)
    score = models.GeneratedField(
        expression=F("likelihood") * F("impact"),
        output_field=models.IntegerField(),
        db_persist=True,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mitigation = models.TextField(blank=True, help_text="What we do to make it less likely.")
    contingency = models.TextField(
        blank=True, verbose_name="contingency plan", help_text="What we do if it happens."
    )
    review_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-score", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5), name="risk_likelihood_1_5"
            ),
            models.CheckConstraint(
                condition=Q(impact__gte=1, impact__lte=5), name="risk_impact_1_5"
            ),
        ]
        indexes = [models.Index(fields=["partnership", "status"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        kwargs = {"pk": self.partnership_id, "risk_pk": self.pk}
        return reverse("governance:risk_edit", kwargs=kwargs)

    @property
    def is_open(self):
        return self.status != RiskStatus.CLOSED

    @property
    def level(self):
        return score_level(self.likelihood * self.impact)

    def is_review_overdue(self, today):
        return self.is_open and self.review_date is not None and self.review_date < today


class RiskScoreChange(models.Model):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="history")
    likelihood_before = models.PositiveSmallIntegerField(null=True, blank=True)
    impact_before = models.PositiveSmallIntegerField(null=True, blank=True)
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.risk}: {self.score_before} → {self.score}"

    @property
    def score(self):
        return self.likelihood * self.impact

    @property
    def score_before(self):
        if self.likelihood_before is None or self.impact_before is None:
            return None
        return self.likelihood_before * self.impact_before
