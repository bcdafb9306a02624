"""Writes to integration plans. Each checks the plan's rules (``plans``) inside its
transaction, so nothing half-written or against the rules is ever stored."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partnerships.models import Partnership

from . import plans, selectors
from .models import Milestone, Workstream
from .standard import standard_for


def _lock_plan(partnership_id):
    # One writer per plan at a time: two saves cannot each add half of a cycle.
    Partnership.objects.select_for_update().filter(pk=partnership_id).first()


def workstream_save(*, workstream):
    workstream.full_clean()
    workstream.save()
    return workstream


def milestone_save(*, milestone, depends_on):
    """Save ``milestone`` depending on ``depends_on`` (milestones of the same plan), or raise
    ValidationError saying which rule it breaks."""
    partnership_id = milestone.workstream.partnership_id
    with transaction.atomic():
        _lock_plan(partnership_id)
        graph, titles, dues, _ = selectors.plan_graph(partnership_id)
        ids = [m.pk for m in depends_on]
        if any(pk not in titles for pk in ids):
            raise ValidationError({"depends_on": "A dependency belongs to another plan."})
        errors = plans.dependency_errors(
            milestone.pk, milestone.due_date, ids, graph, titles=titles, dues=dues
        )
        if errors:
            raise ValidationError({"depends_on": errors})
        later = [
            titles[d]
            for d, deps in graph.items()
            if milestone.pk and milestone.pk in deps and dues[d] < milestone.due_date
        ]
        if later:
            raise ValidationError(
                {"due_date": f"“{later[0]}” depends on this milestone and is due before it."}
            )
        milestone.full_clean(exclude=["depends_on"])
        milestone.save()
        milestone.depends_on.set(ids)
    return milestone


def milestone_complete(*, milestone, by, done_on=None, override_reason=""):
    """Mark ``milestone`` done. Before everything it depends on is done, only with an
    override reason (kept, and shown beside it); raises ValidationError otherwise."""
    override_reason = (override_reason or "").strip()
    with transaction.atomic():
        _lock_plan(milestone.workstream.partnership_id)
        undone = list(
            milestone.depends_on.filter(done_on__isnull=True).values_list("title", flat=True)
        )
        errors = plans.completion_errors(undone, override_reason)
        if errors:
            raise ValidationError({"override_reason": errors})
        milestone.done_on = done_on or timezone.localdate()
        milestone.done_by = by
        milestone.override_reason = override_reason if undone else ""
        milestone.save(update_fields=["done_on", "done_by", "override_reason"])
    return milestone


def milestone_reopen(*, milestone):
    milestone.done_on = None
    milestone.done_by = None
    milestone.override_reason = ""
    milestone.save(update_fields=["done_on", "done_by", "override_reason"])
    return milestone


def plan_from_template(partnership, *, by, now):
    """Copy the standard workstreams of the partnership's type (``standard.STANDARD``) into its
    plan, dated from ``now``. Idempotent: a workstream already copied is left as it is.

    Milestones are owned by the partnership's owner, or by whoever made the move when it has
    none; users reassign them to either side afterwards."""
    today = timezone.localdate(now)
    owner = partnership.owner or by
    done = set(
        Workstream.objects.filter(partnership=partnership)
        .exclude(template_key="")
        .values_list("template_key", flat=True)
    )
    created = []
    for order, (key, kind, title, milestones) in enumerate(standard_for(partnership.type)):
        if key in done:
            continue
        workstream = Workstream.objects.create(
            partnership=partnership,
            kind=kind,
            title=title,
            owner=partnership.owner,
            start_date=today,
            template_key=key,
            order=order,
        )
        made = {}
        for m_key, m_title, deliverable, days, deps in milestones:
            made[m_key] = Milestone.objects.create(
                workstream=workstream,
                title=m_title,
                deliverable=deliverable,
                due_date=today + timedelta(days=days),
                owner=owner,
                template_key=m_key,
            )
            made[m_key].depends_on.set([made[d] for d in deps])
        created.append(workstream)
    return created
