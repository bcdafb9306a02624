""" "My work": what is due from one user across every partnership, gathered from the apps that
hold it (``Contributions.work``): action items, corrective actions, values to enter."""

from dataclasses import dataclass
from datetime import date, timedelta

from .later import Later, deferrable, later_of
from .links import path_maker
from .models import Interaction
from .plugins import contributed

DUE = {
    "all": "Everything open",
    "overdue": "Overdue",
    "week": "Due within 7 days",
}


@dataclass(frozen=True)
class WorkItem:
    kind: str  # the source's key
    pk: int
    partnership_id: int
    partnership_title: str
    title: str
    due_date: date | None
    url: str
    detail: str = ""
    done: bool = False

    def is_overdue(self, today):
        return not self.done and self.due_date is not None and self.due_date < today


def sources():
    return {s.key: s for s in sorted(contributed("work"), key=lambda s: (s.order, s.key))}


def items_for(user, today, *, kind="", partnership_id=None, due="all"):
    """The user's open items, the most overdue first and undated last, filtered."""
    return items_later(user, today, kind=kind, partnership_id=partnership_id, due=due).now()


def items_later(user, today, *, kind="", partnership_id=None, due="all"):
    """``items_for`` as a ``partnerships.later.Later``: the reads of the sources that are
    ``deferrable`` made in one statement, with the caller's other reads if it gathers them."""
    chosen = [s for key, s in sources().items() if not kind or key == kind]

    def ordered(results):
        found = [item for items in results for item in items]
        found.sort(key=lambda i: (i.due_date is None, i.due_date or today, i.title, i.pk))
        return narrowed(found, today, partnership_id=partnership_id, due=due)

    return Later.gather((later_of(s.items, user, today) for s in chosen), ordered)


def narrowed(items, today, *, kind="", partnership_id=None, due="all"):
    """``items`` (as ``items_for`` gives them) filtered, in the same order: a page that shows
    every item's count and a filtered list reads them once."""
    if kind:
        items = [i for i in items if i.kind == kind]
    if partnership_id:
        items = [i for i in items if i.partnership_id == partnership_id]
    if due == "overdue":
        items = [i for i in items if i.is_overdue(today)]
    elif due == "week":
        horizon = today + timedelta(days=7)
        items = [i for i in items if i.due_date is not None and i.due_date <= horizon]
    return items


def counts(items, today):
    return {
        "open": len(items),
        "overdue": sum(1 for i in items if i.is_overdue(today)),
    }


def change(user, kind, pk, *, done):
    """Mark one item done (or undo that) through its source: the item as it now is, or None."""
    source = sources().get(kind)
    act = source and (source.complete if done else source.reopen)
    if not act:
        return None
    return act(user, pk)


@deferrable
def open_conflicts(user, today):
    """Conflicts the user is to resolve (a WorkSource of the base app)."""
    conflicts = Interaction.objects.filter(
        kind=Interaction.Kind.CONFLICT, resolved_on__isnull=True, owner=user
    ).values("pk", "partnership_id", "partnership__title", "subject", "due_on")
    detail = path_maker("partnerships:detail")

    def items(rows):
        return [
            WorkItem(
                kind="partnerships.conflicts",
                pk=c["pk"],
                partnership_id=c["partnership_id"],
                partnership_title=c["partnership__title"],
                title=c["subject"],
                due_date=c["due_on"],
                url=detail(c["partnership_id"]) + f"#interaction-{c['pk']}",
                detail="Conflict to resolve",
            )
            for c in rows
        ]

    return Later(conflicts, items)
