import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from partnerships.models import Contact, Partnership


def new_nonce():
    return secrets.token_urlsafe(16)


class Invitation(models.Model):
    """An emailed, signed, single-use link that lets a contact set a password for the portal.

    The link carries the invitation's id and nonce, signed with a timestamp; it works once,
    until ``expires_at``, and not after it was revoked."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="invitations")
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="portal_invitations",
        help_text="The partnership the contact is given access to on accepting.",
    )
    email = models.EmailField()
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Invitation of {self.contact.name} to {self.partnership.title}"

    def state(self, now=None):
        now = now or timezone.now()
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"

    @property
    def is_pending(self):
        return self.state() == "pending"
