"""The OpenID Connect provider Concord is configured with, read from the settings."""

from django.conf import settings

# The provider_id of the one app in SOCIALACCOUNT_PROVIDERS (config/settings.py).
PROVIDER_ID = "sso"
# Set in the session by an SSO sign-in: the identity provider did the second factor.
SSO_SESSION_KEY = "_concord_signed_in_with_sso"


def is_configured():
    """Whether the login page offers single sign-on: read from settings, no query."""
    return bool(settings.OIDC_ISSUER and settings.OIDC_CLIENT_ID)


def provider_name():
    return settings.OIDC_PROVIDER_NAME


def signed_in_with_sso(request):
    return bool(request.session.get(SSO_SESSION_KEY))
