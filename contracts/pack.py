"""What contracts add to the renewal decision pack: the obligations each side kept, kept late
and missed, occurrence by occurrence up to today, read as the obligations panel reads them
(``selectors.partnership_obligations``)."""

from collections import Counter

from django.urls import reverse

from partnerships.pack import Section, Table

from .models import Fulfilment, Party
from .occurrences import due_dates
from .selectors import partnership_obligations

MISSED_LINES = 8


def _tally(obligations, kept_on, today):
    """Counter per (party, "kept" / "late" / "missed") and the missed ones, newest first."""
    counts, missed = Counter(), []
    for obligation in obligations:
        for due in due_dates(
            obligation.first_due, obligation.recurrence, until=today, ends_on=obligation.ends_on
        ):
            done = kept_on.get((obligation.pk, due))
            if done is None:
                if due < today:
                    counts[obligation.party, "missed"] += 1
                    missed.append((due, obligation))
            else:
                counts[obligation.party, "late" if done > due else "kept"] += 1
    missed.sort(key=lambda pair: pair[0], reverse=True)
    return counts, missed


def obligations(partnership, *, today):
    found = partnership_obligations(partnership)
    if not found:
        return Section(title="Obligations", empty="No obligation is recorded.")
    fulfilments = Fulfilment.objects.filter(obligation__partnership=partnership)
    kept_on = {
        (f["obligation_id"], f["due_date"]): f["fulfilled_on"]
        for f in fulfilments.values("obligation_id", "due_date", "fulfilled_on")
    }
    counts, missed = _tally(found, kept_on, today)
    rows = []
    for party, label in Party.choices:
        kept, late, lost = (counts[party, k] for k in ("kept", "late", "missed"))
        rows.append([label, str(kept + late), str(late), str(lost)])
    return Section(
        title="Obligations",
        figures=[
            ("Kept on time", str(sum(counts[p, "kept"] for p in Party.values))),
            ("Kept late", str(sum(counts[p, "late"] for p in Party.values))),
            ("Missed", str(len(missed))),
        ],
        table=Table(["Side", "Kept", "Of which late", "Missed"], rows),
        lines=[
            f"Missed: {o.get_party_display()}, {o.description}, due {due:%-d %b %Y}"
            for due, o in missed[:MISSED_LINES]
        ],
        link=reverse("contracts:panel", args=[partnership.pk]),
    )
