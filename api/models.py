"""Personal API tokens: what a script or a warehouse job signs in with."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Scope(models.TextChoices):
    READ = "read", "Read partnerships, KPIs, snapshots and alerts"
    # Reserved for the bulk measurement endpoint (POST /api/v1/measurements/), not built yet.
    WRITE_MEASUREMENTS = "write_measurements", "Write KPI measurements"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """Only a hash of the secret is kept: whoever reads the database cannot call the API."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for.")
    # The first characters of the secret, shown so the owner can tell tokens apart.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # A list of ``Scope`` values (JSON: an array field would need django.contrib.postgres).
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="api_token_expires_after_created"
            ),
            models.CheckConstraint(condition=~Q(scopes=[]), name="api_token_has_a_scope"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def status(self, now=None):
        now = now or timezone.now()
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"

    @property
    def last_day(self):
        """The last day the token works (it expires at the start of the next)."""
        return timezone.localdate(self.expires_at - timedelta(microseconds=1))

    def has_scope(self, scope):
        return scope in self.scopes
