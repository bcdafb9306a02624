"""Conflicts escalate like alerts: once past the date they should be resolved by, a daily
sweep emails the next step of the partnership's escalation path, one step more each week
still open, and the executives once the path is exhausted. Each email goes through the
outbox with a key per conflict, step and address, so a rerun sends nothing twice."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from outbox.services import enqueue_email, recipient_key
from partnerships.models import Interaction
from partnerships.roles import EXECUTIVE

from .escalation import escalation_paths

STEP_EVERY_DAYS = 7


def due_step(days_overdue, path_length):
    """The step a conflict overdue by ``days_overdue`` has reached: 1 on its first day late,
    one more each week after; ``path_length + 1`` stands for the executives."""
    if days_overdue <= 0:
        return 0
    return min(1 + (days_overdue - 1) // STEP_EVERY_DAYS, path_length + 1)


def _executives():
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    return list(
        users.filter(Q(groups__name=EXECUTIVE) | Q(is_superuser=True))
        .values_list("email", flat=True)
        .distinct()
    )


def recipients(conflict, path, step, executives):
    chosen = set(path[:step])
    if step > len(path):
        chosen.update(executives)
    if conflict.owner is not None and conflict.owner.is_active and conflict.owner.email:
        chosen.add(conflict.owner.email)
    return sorted(a for a in chosen if a)


def escalate_overdue(today=None, now=None):
    """Escalate every overdue open conflict one step further where it is due; the number
    escalated."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    overdue = list(
        Interaction.objects.filter(
            kind=Interaction.Kind.CONFLICT, resolved_on__isnull=True, due_on__lt=today
        ).select_related("partnership", "owner")
    )
    paths = escalation_paths({c.partnership_id for c in overdue})
    executives = None
    escalated = 0
    for conflict in overdue:
        path = paths.get(conflict.partnership_id, [])
        step = due_step(conflict.days_overdue(today), len(path))
        if step <= conflict.escalated_step:
            continue
        if step > len(path) and executives is None:
            executives = _executives()
        with transaction.atomic():
            # Only the sweep that moves the step on sends: two sweeps never both do.
            moved = Interaction.objects.filter(
                pk=conflict.pk, escalated_step=conflict.escalated_step
            ).update(escalated_step=step, escalated_at=now)
            if not moved:
                continue
            _write_emails(conflict, recipients(conflict, path, step, executives or []), step)
        escalated += 1
    return escalated


def _write_emails(conflict, addresses, step):
    context = {
        "conflict": conflict,
        "partnership": conflict.partnership,
        "days": conflict.days_overdue(timezone.localdate()),
        "url": settings.SITE_URL
        + reverse("partnerships:detail", args=[conflict.partnership_id])
        + f"#interaction-{conflict.pk}",
    }
    subject = f"Overdue conflict on {conflict.partnership.title}: {conflict.subject}"[:300]
    text = render_to_string("emails/governance/conflict_escalation.txt", context)
    origin = f"conflict-escalation:{conflict.pk}:{step}"
    for address in addresses:
        enqueue_email(
            to=address,
            subject=" ".join(subject.split()),
            text=text,
            key=recipient_key(origin, address),
        )
