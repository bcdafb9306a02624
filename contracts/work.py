"""Obligations for "My work" (``plugins.WorkSource``): one row per obligation the user owns
with an occurrence overdue or due within 30 days, the earliest such occurrence."""

from partnerships.access import can_edit_partnership
from partnerships.links import url
from partnerships.work import WorkItem

from . import selectors, services
from .models import Obligation
from .occurrences import company_today

KIND = "contracts.obligations"


def _item(obligation, due_date, *, done=False):
    party = "Partner owes" if obligation.party == "partner" else "We owe"
    return WorkItem(
        kind=KIND,
        pk=obligation.pk,
        partnership_id=obligation.partnership_id,
        partnership_title=obligation.partnership.title,
        title=obligation.description,
        due_date=due_date,
        url=url("contracts:panel", obligation.partnership_id) + "#obligations",
        detail=f"Contract obligation · {party} · {obligation.get_recurrence_display()}",
        done=done,
    )


def items(user, today):
    return [_item(o.obligation, o.due_date) for o in selectors.owned_open_occurrences(user, today)]


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
