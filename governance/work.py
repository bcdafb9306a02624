"""Action items owned by a user, for "My work" (``plugins.WorkSource``)."""

from partnerships.access import can_edit_partnership
from partnerships.later import Later, deferrable
from partnerships.links import url
from partnerships.work import WorkItem

from .models import OPEN_ACTION, ActionItem, ActionStatus, Meeting
from .services import action_item_complete, action_item_save


def _item(action):
    meeting = str(action.meeting) if action.meeting_id else ""
    return _work_item(
        action.pk,
        action.partnership_id,
        action.partnership.title,
        action.title,
        action.due_date,
        meeting,
        action.status,
    )


def _work_item(pk, partnership_id, partnership_title, title, due_date, meeting, status):
    return WorkItem(
        kind="governance.actions",
        pk=pk,
        partnership_id=partnership_id,
        partnership_title=partnership_title,
        title=title,
        due_date=due_date,
        url=url("governance:meetings", partnership_id) + f"#action-{pk}",
        detail=f"From {meeting}" if meeting else "Action item",
        done=status == ActionStatus.DONE,
    )


@deferrable
def items(user, today):
    # Only what an item shows: a digest's "Needs you" lists every open item of its recipient.
    owned = ActionItem.objects.filter(owner=user, status__in=OPEN_ACTION).values(
        "pk",
        "partnership_id",
        "partnership__title",
        "title",
        "due_date",
        "status",
        "meeting_id",
        "meeting__title",
        "meeting__held_on",
    )

    def made(rows):
        return [
            _work_item(
                a["pk"],
                a["partnership_id"],
                a["partnership__title"],
                a["title"],
                a["due_date"],
                str(Meeting(title=a["meeting__title"], held_on=a["meeting__held_on"]))
                if a["meeting_id"]
                else "",
                a["status"],
            )
            for a in rows
        ]

    return Later(owned, made)


def _own(user, pk):
    action = (
        ActionItem.objects.select_related("partnership", "meeting")
        .filter(pk=pk, owner=user)
        .first()
    )
    if action is None or not can_edit_partnership(user, action.partnership):
        return None
    return action


def complete(user, pk):
    action = _own(user, pk)
    if action is None:
        return None
    return _item(action_item_complete(action=action))


def reopen(user, pk):
    action = _own(user, pk)
    if action is None:
        return None
    if action.status == ActionStatus.DONE:
        action.status = ActionStatus.OPEN
        action_item_save(action=action)
    return _item(action)
