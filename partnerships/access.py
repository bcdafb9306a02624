"""Who may see and change what. Views call these; templates only read the flags they return.

Not visible -> 404 (we do not confirm it exists); visible but not changeable -> 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Partner, Partnership
from .roles import is_executive, is_manager


def can_edit_partnership(user, partnership):
    if is_executive(user):
        return True
    if not is_manager(user):
        return False
    return partnership.owner_id == user.pk or partnership.team.filter(pk=user.pk).exists()


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
