"""Milestones owned by a user, for "My work" (``plugins.WorkSource``)."""

from django.core.exceptions import ValidationError

from partnerships.access import can_edit_partnership
from partnerships.later import Later, deferrable
from partnerships.links import url
from partnerships.work import WorkItem

from . import services
from .models import Milestone


def _item(milestone):
    partnership = milestone.workstream.partnership
    return _work_item(
        milestone.pk,
        partnership.pk,
        partnership.title,
        milestone.title,
        milestone.due_date,
        milestone.workstream.title,
        done=milestone.done_on is not None,
    )


def _work_item(pk, partnership_id, partnership_title, title, due_date, workstream, *, done):
    return WorkItem(
        kind="integration.milestones",
        pk=pk,
        partnership_id=partnership_id,
        partnership_title=partnership_title,
        title=title,
        due_date=due_date,
        url=url("partnerships:detail", partnership_id) + f"#milestone-{pk}",
        detail=f"Milestone · {workstream}",
        done=done,
    )


def _owned(user):
    return Milestone.objects.filter(owner=user).select_related("workstream__partnership")


@deferrable
def items(user, today):
    # Only what an item shows: "Needs you" lists every open milestone of its recipient.
    rows = Milestone.objects.filter(owner=user, done_on__isnull=True).values(
        "pk",
        "workstream__partnership_id",
        "workstream__partnership__title",
        "title",
        "due_date",
        "workstream__title",
    )

    def made(rows):
        return [
            _work_item(
                m["pk"],
                m["workstream__partnership_id"],
                m["workstream__partnership__title"],
                m["title"],
                m["due_date"],
                m["workstream__title"],
                done=False,
            )
            for m in rows
        ]

    return Later(rows, made)


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
