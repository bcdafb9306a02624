from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from partnerships.models import Partnership

from .objectives import SIDES

# (field, the question both sides answer)
QUESTIONS = [
    ("trust", "Trust: we can rely on the other side to do what it says."),
    ("communication", "Communication: information flows openly and in time."),
    ("value", "Value received: we get the value we expected from the partnership."),
    ("fairness", "Fairness: effort and reward are split fairly between us."),
    ("alignment", "Alignment: the partnership serves our goals."),
]
SCORE = [MinValueValidator(1), MaxValueValidator(5)]


def _score(label):
    return models.PositiveSmallIntegerField(label, validators=SCORE)


class HealthCheck(models.Model):
    """One side's answers to the quarterly joint health check of a partnership."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="health_checks"
    )
    quarter = models.DateField(help_text="The first day of the quarter.")
    side = models.CharField(max_length=10, choices=SIDES)
    trust = _score("trust")
    communication = _score("communication")
    value = _score("value received")
    fairness = _score("fairness")
    alignment = _score("alignment")
    trust_comment = models.TextField(blank=True)
    communication_comment = models.TextField(blank=True)
    value_comment = models.TextField(blank=True)
    fairness_comment = models.TextField(blank=True)
    alignment_comment = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partnership", "quarter", "side"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "quarter", "side"], name="healthcheck_one_per_side"
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{f}__gte": 1, f"{f}__lte": 5}),
                    name=f"healthcheck_{f}_1_to_5",
                )
                for f, _ in QUESTIONS
            ],
        ]

    def __str__(self):
        return f"{self.partnership} {self.quarter:%Y} Q{(self.quarter.month - 1) // 3 + 1}"

    def scores(self):
        return {f: getattr(self, f) for f, _ in QUESTIONS}
