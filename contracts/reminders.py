"""Obligation due dates for the date reminders (``plugins.Reminder``), and the history of
obligations and documents for the partnership's timeline (``plugins.TimelineSource``).

The reminder job (digests.services.reminders_run) sends one email per (partnership, kind, due
date, offset, recipient), at the smallest offset the date has come within. An occurrence is
offered only once it is within the *smallest* offset, so it only ever crosses that one: one
reminder per occurrence and recipient, however often the job runs. Each obligation has its own
kind, so two obligations due on the same day are two reminders; a kept occurrence is no longer
offered, and a reminder not yet written for it is skipped.
"""

from django.conf import settings

from partnerships.later import deferrable
from partnerships.links import path_maker
from partnerships.timeline import Event

from .models import DocumentVersion, ObligationChange
from .occurrence_reads import due_occurrences

KIND_PREFIX = "obligation:"


def horizon_days():
    return min(settings.DIGEST_REMINDER_OFFSETS)


@deferrable
def obligation_dates(today, partnership_ids=None):
    """[digests.dates.DueDate-shaped tuples] of open occurrences due within the horizon."""
    panel = path_maker("contracts:panel")

    def dates(occurrences):
        out = []
        for row in occurrences:
            whose = "the partner's obligation" if row.party == "partner" else "our obligation"
            out.append(
                (
                    row.partnership_id,
                    f"{KIND_PREFIX}{row.obligation_id}",
                    row.due_date,
                    f"Due under the {row.partnership__title} agreement ({whose}): "
                    f"{row.description}",
                    panel(row.partnership_id) + "#obligations",
                    row.owner_id,
                )
            )
        return out

    read = due_occurrences.later(today, horizon_days(), partnership_ids=partnership_ids)
    return read.map(dates)


def obligation_events(partnership, limit):
    rows = ObligationChange.objects.filter(partnership=partnership).select_related(
        "obligation", "amendment"
    )[:limit]
    tones = {"added": "blue", "changed": "amber", "ended": ""}
    return [
        Event(
            c.changed_at,
            "Obligation",
            f"{c.get_kind_display()}: {c.obligation.description}",
            (
                f"Under the amendment of {c.amendment.effective_date:%-d %b %Y}. "
                if c.amendment
                else ""
            )
            + c.note,
            tone=tones.get(c.kind, ""),
        )
        for c in rows
    ]


def document_events(partnership, limit):
    rows = (
        DocumentVersion.objects.filter(document__agreement__partnership=partnership)
        .select_related("document")
        .order_by("-uploaded_at", "-pk")[:limit]
    )
    return [
        Event(
            v.uploaded_at,
            "Document",
            f"{v.document.title} (version {v.number}) uploaded",
            v.note,
        )
        for v in rows
    ]
