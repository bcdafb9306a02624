"""Concord roles from the identity provider's role claim (OIDC_ROLE_CLAIM, OIDC_ROLE_MAP)."""

import logging

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured

from partnerships.roles import ALL_ROLES, EXECUTIVE, PARTNER_MANAGER, VIEWER, remember_groups

from .oidc import PROVIDER_ID, SSO_SESSION_KEY

logger = logging.getLogger(__name__)

# The names used in OIDC_ROLE_MAP and MFA_REQUIRED_ROLES, for the groups of partnerships.roles.
ROLE_NAMES = {"executive": EXECUTIVE, "partner_manager": PARTNER_MANAGER, "viewer": VIEWER}


def parse_role_map(text):
    """``"concord-exec=executive,concord-pm=partner_manager"`` as {claim value: group name}."""
    mapping = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        value, sep, role = (piece.strip() for piece in pair.partition("="))
        if not sep or not value or role not in ROLE_NAMES:
            raise ImproperlyConfigured(
                f"OIDC_ROLE_MAP entry {pair!r} must read claim-value=role, the role one of "
                f"{', '.join(sorted(ROLE_NAMES))}."
            )
        mapping[value] = ROLE_NAMES[role]
    return mapping


def claim_values(claims, name):
    """The claim as a list of strings: a single string, or a list of them (groups, roles)."""
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def roles_from_claims(claims):
    """The Concord groups the claims give, or None when no role claim is configured or sent
    (the user's roles are then left as they are)."""
    if not settings.OIDC_ROLE_CLAIM:
        return None
    values = claim_values(claims, settings.OIDC_ROLE_CLAIM)
    if values is None:
        logger.warning("The identity provider sent no %r claim", settings.OIDC_ROLE_CLAIM)
        return None
    mapping = parse_role_map(settings.OIDC_ROLE_MAP)
    return {mapping[v] for v in values if v in mapping}


def set_roles(user, groups):
    """Make ``groups`` the user's Concord roles: other role groups are left, other groups kept."""
    current = set(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
    if current == groups:
        return
    user.groups.remove(*Group.objects.filter(name__in=current - groups))
    user.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in groups - current))
    remember_groups(user, set(user.groups.values_list("name", flat=True)))


def sso_claims(sociallogin):
    """The userinfo claims, with the ID token's for what userinfo does not carry."""
    data = sociallogin.account.extra_data or {}
    return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}


def sync_roles_at_sso_login(sender, request, user, sociallogin=None, **kwargs):
    """On every SSO sign-in: remember it in the session and take the roles from the claim."""
    if sociallogin is None or sociallogin.account.provider != PROVIDER_ID:
        return
    request.session[SSO_SESSION_KEY] = True
    groups = roles_from_claims(sso_claims(sociallogin))
    if groups is not None:
        set_roles(user, groups)
