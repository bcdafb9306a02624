"""Obligations that fell overdue, reported to the webhooks that follow them.

Nothing changes in the database when a due date passes, so a daily job looks for occurrences
due in the last ``LOOKBACK_DAYS`` and not kept, and reports each once (the outbox key is the
obligation and the due date: a second run, or the next day's, writes nothing again). Older
ones were overdue before the job ran and are not reported: a first run does not flood a channel
with years of history.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from partnerships.links import path_maker
from partnerships.models import Stage
from webhooks.events import Occurrence, emit_many, followed
from webhooks.models import Event

from .models import Obligation
from .selectors import open_occurrences, with_fulfilled

LOOKBACK_DAYS = 7


def overdue_since(today, days=LOOKBACK_DAYS):
    """Occurrences due from ``today - days`` to yesterday and not kept, over the portfolio."""
    since = today - timedelta(days=days)
    obligations = Obligation.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=since),
        status=Obligation.Status.ACTIVE,
        first_due__lt=today,
    ).exclude(partnership__stage=Stage.ENDED)
    obligations = with_fulfilled(
        obligations.select_related("partnership", "owner").order_by("pk"), since=since
    )
    return [
        occurrence
        for obligation in obligations
        for occurrence in open_occurrences(obligation, today, horizon_days=0)
        if since <= occurrence.due_date < today
    ]


def report_overdue(*, today=None) -> int:
    """The daily job: one delivery per following webhook for each newly overdue occurrence."""
    today = today or timezone.localdate()
    with transaction.atomic():
        if not followed([Event.OBLIGATION_OVERDUE]):
            return 0
        panel = path_maker("contracts:panel")
        return emit_many(
            occurrence(o, today=today, url=panel(o.obligation.partnership_id) + "#obligations")
            for o in overdue_since(today)
        )


def occurrence(occurrence, *, today, url):
    obligation = occurrence.obligation
    partnership = obligation.partnership
    whose = "the partner's obligation" if obligation.party == "partner" else "our obligation"
    late = (today - occurrence.due_date).days
    owner = obligation.owner
    owner_name = (owner.get_full_name() or owner.username) if owner else "nobody"
    return Occurrence(
        event=Event.OBLIGATION_OVERDUE,
        source=f"obligation:{obligation.pk}:{occurrence.due_date.isoformat()}",
        partnership=partnership,
        title=f"Obligation overdue: {obligation.description[:120]} ({partnership.title})",
        text=f"Due on {occurrence.due_date:%-d %b %Y} under the {partnership.title} agreement "
        f"({whose}) and not marked fulfilled.",
        url=url,
        facts=(
            ("Due", f"{occurrence.due_date:%-d %b %Y}"),
            ("Days overdue", str(late)),
            ("Party", obligation.get_party_display()),
            ("Owner", owner_name),
        ),
        data={
            "obligation": {
                "id": obligation.pk,
                "description": obligation.description,
                "party": obligation.party,
                "due_date": occurrence.due_date.isoformat(),
                "days_overdue": late,
                "owner": owner_name if owner else None,
            }
        },
        tone="red",
    )
