"""Demo integration plans (``plugins.Seeder``): each active partnership gets the standard plan of
its type, in one of a few states, so the timeline shows on-track, slipping and overridden work."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from partnerships.models import Stage

from . import services
from .models import Milestone, Rag, Workstream

# (state, days ago the partnership entered Active)
STATES = [("on_track", 60), ("slipping", 95), ("overridden", 150), ("starting", 10)]


def seed_integration(ctx, today=None):
    today = today or timezone.localdate()
    active = sorted(
        (p for p in ctx["partnerships"].values() if p.stage == Stage.ACTIVE),
        key=lambda p: p.title,
    )
    for index, partnership in enumerate(active):
        if Workstream.objects.filter(partnership=partnership).exists():
            continue  # seeded before, or built by a user: leave it
        state, days_ago = STATES[index % len(STATES)]
        with transaction.atomic():
            _seed_plan(partnership, ctx["users"], state, today - timedelta(days=days_ago), today)


def _seed_plan(partnership, users, state, began, today):
    by = partnership.owner or users["coo"]
    now = timezone.make_aware(datetime.combine(began, time(9)))
    streams = services.plan_from_template(partnership, by=by, now=now)
    contact = partnership.partner.contacts.order_by("pk").first()
    for number, stream in enumerate(streams):
        stream.partner_owner = contact
        # Slipping plans fall behind on every other workstream.
        behind = state == "slipping" and number % 2 == 1
        if behind:
            stream.rag, stream.rag_note = Rag.RED, "Waiting on the partner's data; replanning."
        stream.save()
        for i, milestone in enumerate(stream.milestones.order_by("due_date", "pk")):
            if contact and i == 1:
                milestone.owner, milestone.owner_contact = None, contact
            if milestone.due_date < today and not behind:
                milestone.done_on = milestone.due_date - timedelta(days=i % 3)
                milestone.done_by = by
            milestone.save()
    if state == "overridden":
        _override_one(streams[-1], by)


def _override_one(stream, by):
    """Reopen the first milestone of ``stream`` and keep the next one done, with the reason it
    went ahead anyway."""
    first, second = list(stream.milestones.order_by("due_date", "pk"))[:2]
    Milestone.objects.filter(pk=first.pk).update(done_on=None, done_by=None)
    second.override_reason = "Went ahead on the draft; the signed version follows."
    second.save(update_fields=["override_reason"])
