"""Who sees what in the portal: the one place that decides it.

A partner user sees only partnerships with their own partner that they were given, and of
those only what is shared. Not visible -> 404 (we do not confirm it exists); visible but not
theirs to change -> 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from kpis.models import Kpi
from partnerships.models import Objective, Partnership
from partnerships.roles import is_partner_user

from .models import PartnerUser

PARTNER_SIDE = "partner"


def partner_user_of(user):
    """The user's active PartnerUser, or None (read once per request)."""
    if not is_partner_user(user):
        return None
    if not hasattr(user, "_portal_profile"):
        user._portal_profile = (
            PartnerUser.objects.active()
            .select_related("partner", "contact")
            .filter(user=user)
            .first()
        )
    return user._portal_profile


def require_partner_user(request):
    profile = partner_user_of(request.user)
    if profile is None:
        raise Http404("No such page.")
    return profile


def partnerships_for(profile):
    return Partnership.objects.filter(
        partner_id=profile.partner_id, portal_access__partner_user=profile
    )


def get_partnership(request, pk):
    profile = require_partner_user(request)
    try:
        return partnerships_for(profile).select_related("partner", "owner").get(pk=pk)
    except Partnership.DoesNotExist:
        raise Http404("No such partnership.") from None


def shared_kpi_filter():
    """KPIs shared with the partner: flagged so, or left to follow their objective's side."""
    return Q(shared_with_partner=True) | Q(
        shared_with_partner__isnull=True,
        objective__side__in=[Objective.Side.PARTNER, Objective.Side.SHARED],
    )


def shared_kpis(partnership):
    return Kpi.objects.filter(shared_kpi_filter(), partnership=partnership, is_active=True)


def enterable_kpis(partnership_ids):
    """The shared KPIs whose values the partner enters."""
    return Kpi.objects.filter(
        shared_kpi_filter(),
        partnership_id__in=partnership_ids,
        is_active=True,
        entered_by=PARTNER_SIDE,
    )


def get_kpi(request, pk, *, enter=False):
    profile = require_partner_user(request)
    try:
        kpi = (
            Kpi.objects.filter(shared_kpi_filter(), is_active=True)
            .filter(partnership__in=partnerships_for(profile))
            .select_related("partnership__partner", "objective")
            .get(pk=pk)
        )
    except Kpi.DoesNotExist:
        raise Http404("No such KPI.") from None
    if enter and kpi.entered_by != PARTNER_SIDE:
        raise PermissionDenied("Our side enters this KPI's values.")
    return kpi


def get_objective(request, pk):
    profile = require_partner_user(request)
    try:
        return (
            Objective.objects.filter(partnership__in=partnerships_for(profile))
            .select_related("partnership", "goal")
            .get(pk=pk)
        )
    except Objective.DoesNotExist:
        raise Http404("No such objective.") from None


def require_post(request):
    """For actions: called after the object was found, so that a GET on something the user
    cannot see is a 404 like the rest, never a 405 that confirms nothing but differs."""
    if request.method != "POST":
        raise PermissionDenied("Use the form on the page.")


# Our side ------------------------------------------------------------------------------------


def can_invite(user, partnership):
    """Executives and the partnership's owner invite and manage the partner's users."""
    from partnerships.access import can_manage_partner_access

    return can_manage_partner_access(user, partnership)


def shared_kpi_filter_on(prefix):
    """``shared_kpi_filter`` for rows that reach the KPI through ``prefix``."""
    return Q(**{f"{prefix}__shared_with_partner": True}) | Q(
        **{
            f"{prefix}__shared_with_partner__isnull": True,
            f"{prefix}__objective__side__in": [Objective.Side.PARTNER, Objective.Side.SHARED],
        }
    )
