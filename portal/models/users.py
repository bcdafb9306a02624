from django.conf import settings
from django.db import models
from django.utils import timezone

from partnerships.models import Contact, Partner, Partnership


class PartnerUserQuerySet(models.QuerySet):
    def active(self):
        return self.filter(deactivated_at__isnull=True, user__is_active=True)


class PartnerUser(models.Model):
    """A partner's contact who can sign in to the portal. Belongs to the contact's partner."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_profile"
    )
    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="portal_user")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="portal_users")
    partnerships = models.ManyToManyField(
        Partnership, through="PartnershipAccess", related_name="portal_users", blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PartnerUserQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "contact__name"]

    def __str__(self):
        return f"{self.contact.name} ({self.partner})"

    @property
    def is_active(self):
        return self.deactivated_at is None


class PartnershipAccess(models.Model):
    """A partner user may work on this partnership in the portal."""

    partner_user = models.ForeignKey(PartnerUser, on_delete=models.CASCADE, related_name="access")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="portal_access"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner_user", "partnership"], name="portal_access_unique"
            ),
        ]

    def __str__(self):
        return f"{self.partner_user} → {self.partnership.title}"
