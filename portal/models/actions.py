from django.conf import settings
from django.db import models
from django.utils import timezone

from governance.models import ActionItem
from kpis.models import CorrectiveAction


class ActionUpdate(models.Model):
    """A partner's status change on an action they own, with their note: the history both
    sides read (our own edits keep their own history in their apps)."""

    action_item = models.ForeignKey(
        ActionItem, on_delete=models.CASCADE, null=True, blank=True, related_name="portal_updates"
    )
    corrective_action = models.ForeignKey(
        CorrectiveAction,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="portal_updates",
    )
    status = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action_item__isnull=False, corrective_action__isnull=True)
                | models.Q(action_item__isnull=True, corrective_action__isnull=False),
                name="portal_update_one_action",
            )
        ]

    def __str__(self):
        return f"{self.status}: {self.note[:40]}"
