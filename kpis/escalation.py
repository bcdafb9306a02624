"""Who an alert email goes to: along the partnership's escalation path.

The path is the governance roles with an escalation step (``Contributions.escalation_paths``,
people on our side with an address, in step order). An alert's opening goes to the owner and
the path's first step; each escalation of the alert adds the next step; once the path is
exhausted, the executives too. A partnership with no path recorded goes to the owner and
the executives at once, as there is nobody else to escalate to.
"""

from collections import Counter

from partnerships.plugins import contributed

from .models import AlertEvent
from .queries.alert_moves import executives


def paths(partnership_ids):
    """{partnership id: [email, ...]} in step order."""
    found = {}
    for read in contributed("escalation_paths"):
        found.update(read(list(partnership_ids)))
    return found


def recipients(*, owner, path, level, executive_emails):
    """The addresses for an alert email at escalation ``level`` (0 at opening), sorted."""
    chosen = {owner} if owner else set()
    if level < len(path):
        chosen.update(path[: level + 1])
    else:
        chosen.update(path)
        chosen.update(executive_emails)
    return sorted(a for a in chosen if a)


def levels(events):
    """{event pk: escalation level} for opened or escalated events: how many escalations of
    its alert there were up to and including it (an opening is 0, and needs no query)."""
    events = list(events)
    out = {e.pk: 0 for e in events if e.kind != AlertEvent.Kind.ESCALATED}
    events = [e for e in events if e.kind == AlertEvent.Kind.ESCALATED]
    if not events:
        return out
    alert_ids = {e.alert_id for e in events}
    escalations = (
        AlertEvent.objects.filter(alert_id__in=alert_ids, kind=AlertEvent.Kind.ESCALATED)
        .order_by("pk")
        .values_list("pk", "alert_id")
    )
    for event in events:
        count = Counter(
            alert for pk, alert in escalations if alert == event.alert_id and pk <= event.pk
        )
        out[event.pk] = count[event.alert_id]
    return out


def recipients_for(notifications):
    """{notification pk: [email, ...]} for these notifications (with their event, alert and
    partnership owner loaded)."""
    notifications = list(notifications)
    if not notifications:
        return {}
    found = paths({n.event.alert.partnership_id for n in notifications})
    level = levels(n.event for n in notifications)
    # The executives are read only when a notification reaches the top of its path.
    at_top = any(
        level[n.event_id] >= len(found.get(n.event.alert.partnership_id, [])) for n in notifications
    )
    execs = [email for _, email in executives()] if at_top else []
    out = {}
    for n in notifications:
        partnership = n.event.alert.partnership
        owner = partnership.owner
        owner_email = owner.email if owner is not None and owner.is_active else ""
        out[n.pk] = recipients(
            owner=owner_email,
            path=found.get(partnership.pk, []),
            level=level[n.event_id],
            executive_emails=execs,
        )
    return out
