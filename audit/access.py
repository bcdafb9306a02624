"""Who may read which history: what they may see of the pages, the rest to executives."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from partnerships.access import get_partnership_for_user
from partnerships.roles import is_executive, is_partner_user

from . import registry

PARTNERSHIP = "partnerships.Partnership"


def require_executive(user):
    if not is_executive(user):
        raise PermissionDenied("The history of everything is for executives.")


def partnership_of(label, pk, depth=0):
    """The id of the partnership the ``label`` row ``pk`` belongs to (or belonged to when it
    was deleted), read from its latest event; None if it belongs to none."""
    if label == PARTNERSHIP:
        return pk
    event_model = registry.event_models()[label]
    if depth > registry.MAX_DEPTH or not hasattr(event_model, "pgh_obj"):
        return None
    data = event_model.objects.filter(pgh_obj_id=pk).order_by("-pgh_id").values().first()
    if data is None:
        return None
    fields = [f for f in registry.followed_model(label)._meta.concrete_fields if f.is_relation]
    parents = [(registry.label_of(f.related_model), data.get(f.attname)) for f in fields]
    for parent, parent_pk in parents:
        if parent == PARTNERSHIP and parent_pk:
            return parent_pk
    within = registry.scope(PARTNERSHIP)
    for parent, parent_pk in parents:
        parent_events = registry.event_models().get(parent)
        if parent_pk and parent != label and parent_events in within:
            found = partnership_of(parent, parent_pk, depth + 1)
            if found:
                return found
    return None


def check_object(user, label, pk):
    """Refuse unless ``user`` may read the history of the ``label`` row ``pk``: the history
    of something of a partnership goes with the partnership; the rest is for executives.
    Returns the partnership, if any."""
    if is_partner_user(user):
        raise Http404("No such history.")
    partnership_pk = partnership_of(label, pk)
    if partnership_pk is None:
        require_executive(user)
        return None
    return get_partnership_for_user(user, partnership_pk)
