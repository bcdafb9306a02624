from django.conf import settings
from django.db import models

from governance.models import ChecklistItem


class QuestionnaireAnswer(models.Model):
    """The partner's answer to a due-diligence item sent to them. Their files are the item's
    evidence (uploaded by a partner user); our reviewer still decides the item's status."""

    item = models.OneToOneField(
        ChecklistItem, on_delete=models.CASCADE, related_name="partner_answer"
    )
    answer = models.TextField()
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField()

    def __str__(self):
        return self.answer[:60]
