"""Obligations for "My work" (``plugins.WorkSource``): one row per obligation the user owns
with an occurrence overdue or due within 30 days, the earliest such occurrence."""

from partnerships.access import can_edit_partnership
from partnerships.later import deferrable
from partnerships.links import url
from partnerships.work import WorkItem

from . import selectors, services
from .models import Obligation, Recurrence
from .occurrence_reads import OwnedOpen, owned_open
from .occurrences import company_today

KIND = "contracts.obligations"


def _item(obligation, due_date, *, done=False):
    row = OwnedOpen(
        obligation.pk,
        obligation.partnership_id,
        obligation.partnership.title,
        obligation.description,
        obligation.party,
        obligation.recurrence,
        due_date,
    )
    return _work_item(row, done=done)


def _work_item(row, *, done=False):
    owes = "Partner owes" if row.party == "partner" else "We owe"
    return WorkItem(
        kind=KIND,
        pk=row.obligation_id,
        partnership_id=row.partnership_id,
        partnership_title=row.partnership_title,
        title=row.description,
        due_date=row.due_date,
        url=url("contracts:panel", row.partnership_id) + "#obligations",
        detail=f"Contract obligation · {owes} · {Recurrence(row.recurrence).label}",
        done=done,
    )


@deferrable
def items(user, today):
    """One item per obligation the user owns with a due date not kept by 30 days from now."""
    return owned_open.later(user, today).map(lambda rows: [_work_item(row) for row in rows])


def _own(user, pk):
    obligation = (
        selectors.with_fulfilled(Obligation.objects.filter(pk=pk, owner=user))
        .select_related("partnership", "agreement")
        .first()
    )
    if obligation is None or not can_edit_partnership(user, obligation.partnership):
        return None
    return obligation


def complete(user, pk):
    """The earliest open occurrence kept today, with "marked done on My work" as its evidence."""
    obligation = _own(user, pk)
    if obligation is None:
        return None
    today = company_today()
    pending = selectors.open_occurrences(obligation, today)
    if not pending:
        return None
    due = pending[0].due_date
    services.occurrence_fulfil(
        obligation=obligation, due_date=due, by=user, note="Marked done on My work."
    )
    return _item(obligation, due, done=True)


def reopen(user, pk):
    """Undo the last occurrence recorded as kept."""
    obligation = _own(user, pk)
    if obligation is None:
        return None
    last = obligation.fulfilments.order_by("-recorded_at", "-pk").first()
    if last is None:
        return None
    services.occurrence_reopen(fulfilment=last)
    return _item(obligation, last.due_date)
