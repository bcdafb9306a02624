"""MFA_REQUIRED_ROLES: people in those roles set up an authenticator app before anything else."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import redirect
from django.urls import reverse

from partnerships.roles import is_partner_user, role_label

from .oidc import signed_in_with_sso
from .roles import ROLE_NAMES

STAFF = "staff"


def required_groups():
    """MFA_REQUIRED_ROLES as (role groups, whether staff are included)."""
    names = {n.strip() for n in settings.MFA_REQUIRED_ROLES if n.strip()}
    unknown = names - set(ROLE_NAMES) - {STAFF}
    if unknown:
        raise ImproperlyConfigured(
            f"MFA_REQUIRED_ROLES names {', '.join(sorted(unknown))}: use "
            f"{', '.join(sorted([*ROLE_NAMES, STAFF]))}."
        )
    return {ROLE_NAMES[n] for n in names - {STAFF}}, STAFF in names


def must_set_up_mfa(user):
    """Whether ``user``'s role asks for a second factor (a query only for those it asks of)."""
    groups, staff = required_groups()
    if not (groups or staff) or is_partner_user(user):
        return False
    if not (role_label(user) in groups or (staff and user.is_staff)):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


# What a person who must set up MFA can still open: the setup itself and signing out.
ALLOWED_PREFIXES = ("/accounts/2fa/", "/accounts/reauthenticate/", "/accounts/logout/")


class RequireMFAMiddleware:
    """Sends a signed-in person whose role requires MFA to the authenticator setup until they
    have one. A single sign-on is exempt: the identity provider asked for the second factor."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.allowed = (*ALLOWED_PREFIXES, "/" + settings.STATIC_URL.lstrip("/"))

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path_info.startswith(self.allowed)
            and not signed_in_with_sso(request)
            and must_set_up_mfa(user)
        ):
            messages.warning(
                request,
                "Your role requires two-factor authentication. Set up an authenticator app "
                "to continue.",
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
