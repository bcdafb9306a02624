"""Who may see and change what. Views call these; templates only read the flags they return.

Not visible -> 404 (we do not confirm it exists); visible but not changeable -> 403.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from .models import Partner, Partnership
from .roles import EXECUTIVE, PARTNER_MANAGER, PARTNER_USER, is_executive, is_manager


def can_edit_partnership(user, partnership):
    if is_executive(user):
        return True
    if not is_manager(user):
        return False
    return partnership.owner_id == user.pk or partnership.team.filter(pk=user.pk).exists()


def can_own(user):
    """Owning a partnership means changing it and acting on its alerts: executives and
    partner managers only, never a viewer (nor a partner user)."""
    return is_executive(user) or is_manager(user)


def possible_owners():
    """The people ``can_own`` allows, for the owner picker: active executives (superusers
    included) and partner managers who are not partner users."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=(EXECUTIVE, PARTNER_MANAGER)) | Q(is_superuser=True))
        .exclude(groups__name=PARTNER_USER)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def is_owner_with_role(user, partnership):
    """The partnership's owner, still holding a role that may own (a demoted owner may not)."""
    return user.is_authenticated and partnership.owner_id == user.pk and can_own(user)


def can_acknowledge_alerts(user, partnership):
    """Executives, and the owner of the partnership when they may own it, acknowledge."""
    return is_executive(user) or is_owner_with_role(user, partnership)


def can_manage_partner_access(user, partnership):
    """Executives, and the partnership's owner, invite and manage the partner's users."""
    return is_executive(user) or is_owner_with_role(user, partnership)


def can_create_partnership(user):
    return is_executive(user) or is_manager(user)


def can_manage_partners(user):
    return is_executive(user) or is_manager(user)


def can_move_stage(user, partnership):
    return is_executive(user) or can_edit_partnership(user, partnership)


def can_force_move(user):
    return is_executive(user)


def get_partnership_for_user(user, pk, *, edit=False, queryset=None):
    queryset = queryset if queryset is not None else Partnership.objects.all()
    try:
        partnership = queryset.visible_to(user).get(pk=pk)
    except Partnership.DoesNotExist:
        raise Http404("No such partnership.") from None
    if edit and not can_edit_partnership(user, partnership):
        raise PermissionDenied("You can see this partnership but not change it.")
    return partnership


def partners_visible_to(user):
    # Managers pick a partner when they start a partnership, so they see every organisation;
    # viewers only the partners of partnerships they are on.
    if is_executive(user) or is_manager(user):
        return Partner.objects.all()
    return Partner.objects.filter(partnerships__in=Partnership.objects.visible_to(user)).distinct()


def get_partner_for_user(user, pk, *, edit=False):
    try:
        partner = partners_visible_to(user).get(pk=pk)
    except Partner.DoesNotExist:
        raise Http404("No such partner.") from None
    if edit and not can_manage_partners(user):
        raise PermissionDenied("You can see this partner but not change it.")
    return partner
