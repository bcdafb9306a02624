"""Creating, finding and revoking API tokens: the rules live here, the page and the
authentication class call them."""

import hashlib
import secrets
from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partnerships.roles import is_partner_user

from .models import ApiToken, Scope

DEFAULT_DAYS = 90
MAX_DAYS = 365
# Secrets start with this, so a leaked one is recognisable (secret scanners, logs).
SECRET_START = "cnc_"
PREFIX_CHARS = 8
# Recording each use would write on every request; once a minute is precise enough to answer
# "is this token still used?".
LAST_USED_GRANULARITY = timedelta(minutes=1)


def may_have_tokens(user):
    """Our own people only: partner users work in the portal, which has no API."""
    return user.is_authenticated and user.is_active and not is_partner_user(user)


def digest_of(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def default_expiry_date(today=None):
    return (today or timezone.localdate()) + timedelta(days=DEFAULT_DAYS)


def expiry_problem(expires_on, today=None):
    """What is wrong with an expiry date, in words for the person choosing it, or None."""
    today = today or timezone.localdate()
    if expires_on <= today:
        return "Choose a date after today."
    if expires_on > today + timedelta(days=MAX_DAYS):
        latest = today + timedelta(days=MAX_DAYS)
        return f"A token lasts at most a year: choose {latest:%-d %B %Y} or earlier."
    return None


def token_create(*, user, name, scopes, expires_on):
    """A new token and its secret. The secret is returned once and never stored."""
    if not may_have_tokens(user):
        raise PermissionDenied("Partner users have no API tokens.")
    problem = expiry_problem(expires_on)
    if problem:
        raise ValidationError({"expires_on": problem})
    if not scopes or not set(scopes) <= set(Scope.values):
        raise ValidationError({"scopes": "Choose at least one of the scopes offered."})
    secret = SECRET_START + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[: len(SECRET_START) + PREFIX_CHARS],
        digest=digest_of(secret),
        scopes=sorted(set(scopes)),
        # The token works through the whole of the chosen day.
        expires_at=timezone.make_aware(datetime.combine(expires_on + timedelta(days=1), time.min)),
    )
    return token, secret


def token_revoke(*, user, pk):
    """Revoke one of ``user``'s tokens; False when it is not theirs or already revoked."""
    return bool(
        ApiToken.objects.filter(user=user, pk=pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def token_for_secret(secret):
    """The usable token behind ``secret`` with its user, or None (unknown, expired, revoked)."""
    if not secret.startswith(SECRET_START):
        return None
    try:
        token = ApiToken.objects.usable().select_related("user").get(digest=digest_of(secret))
    except ApiToken.DoesNotExist:
        return None
    _record_use(token)
    return token


def _record_use(token):
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def tokens_of(user):
    return ApiToken.objects.filter(user=user)
