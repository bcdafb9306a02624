"""Governance facts in the header of the partnership page."""

from django.urls import reverse

from partnerships.header import Fact

from .models import GovernanceRole, RoleKind


def sponsor(partnership):
    role = (
        GovernanceRole.objects.filter(partnership=partnership, kind=RoleKind.EXECUTIVE_SPONSOR)
        .select_related("user")
        # The default order without its first key, the partnership's title (one partnership
        # here): the same role, without joining the partnership to sort by it.
        .order_by("level", "kind", "pk")
        .first()
    )
    url = reverse("governance:governance", kwargs={"pk": partnership.pk})
    if role is None or role.user is None:
        return Fact("Sponsor", "none assigned", tone="amber", url=url)
    return Fact("Sponsor", role.user.get_full_name() or role.user.username, url=url)
