from django.contrib.auth import get_user_model
from django.db.models import Q

from partnerships.roles import EXECUTIVE


def pack_recipients(partnership):
    """The active executives and the partnership's owner, by address, each once."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    chosen = users.filter(
        Q(groups__name=EXECUTIVE) | Q(is_superuser=True) | Q(pk=partnership.owner_id)
    )
    return sorted(set(chosen.values_list("email", flat=True)))


def packs_of(partnership, earlier=10):
    """(the latest pack or None, the ones before it), in one query."""
    found = list(
        partnership.decision_packs.select_related("opened_by", "recommended_by", "decided_by")[
            : earlier + 1
        ]
    )
    return (found[0], found[1:]) if found else (None, [])
