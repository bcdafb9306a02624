"""Milestones owned by a user, for "My work" (``plugins.WorkSource``)."""

from django.core.exceptions import ValidationError

from partnerships.access import can_edit_partnership
from partnerships.links import url
from partnerships.work import WorkItem

from . import services
from .models import Milestone


def _item(milestone):
    partnership = milestone.workstream.partnership
    return WorkItem(
        kind="integration.milestones",
        pk=milestone.pk,
        partnership_id=partnership.pk,
        partnership_title=partnership.title,
        title=milestone.title,
        due_date=milestone.due_date,
        url=url("partnerships:detail", partnership.pk) + f"#milestone-{milestone.pk}",
        detail=f"Milestone · {milestone.workstream.title}",
        done=milestone.done_on is not None,
    )


def _owned(user):
    return Milestone.objects.filter(owner=user).select_related("workstream__partnership")


def items(user, today):
    # Only what ``_item`` reads: "Needs you" lists every open milestone of its recipient.
    fields = ("title", "due_date", "done_on", "workstream__title", "workstream__partnership__title")
    return [_item(m) for m in _owned(user).filter(done_on__isnull=True).only(*fields)]


def _own(user, pk):
    milestone = _owned(user).filter(pk=pk).first()
    if milestone is None or not can_edit_partnership(user, milestone.workstream.partnership):
        return None
    return milestone


def complete(user, pk):
    """Done from "My work" only when what it depends on is done: an override needs a reason,
    given on the milestone's own page."""
    milestone = _own(user, pk)
    if milestone is None:
        return None
    try:
        services.milestone_complete(milestone=milestone, by=user)
    except ValidationError:
        return None
    return _item(milestone)


def reopen(user, pk):
    milestone = _own(user, pk)
    if milestone is None:
        return None
    return _item(services.milestone_reopen(milestone=milestone))
