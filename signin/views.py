"""The single sign-on endpoints: allauth's, answering a clear page when the provider is down."""

import logging

from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django.contrib.auth.decorators import login_not_required
from requests import RequestException

from .adapters import refusal
from .oidc import provider_name

logger = logging.getLogger(__name__)


def _unreachable(request, error):
    logger.warning("The identity provider did not answer: %s", error)
    return refusal(
        request,
        f"{provider_name()} is not answering just now, so single sign-on cannot start. Try "
        "again in a few minutes, or sign in with your Concord password if you have one.",
        status=503,
    )


@login_not_required
def sso_login(request, provider_id):
    """The start: Concord fetches the provider's configuration before sending you there."""
    try:
        return oidc_views.login(request, provider_id)
    except RequestException as error:
        return _unreachable(request, error)


@login_not_required
def sso_callback(request, provider_id):
    """The return from the provider (allauth reports its own token errors as a page)."""
    try:
        return oidc_views.callback(request, provider_id)
    except RequestException as error:
        return _unreachable(request, error)
