"""Each partnership's escalation path, for alert emails (``Contributions.escalation_paths``):
the people on our side with an escalation step and an address, in step order. Partner
contacts on the path are left out: alert emails speak of our own KPIs."""

from collections import defaultdict

from .models import GovernanceRole


def escalation_paths(partnership_ids):
    steps = (
        GovernanceRole.objects.filter(
            partnership_id__in=partnership_ids,
            escalation_step__isnull=False,
            user__isnull=False,
            user__is_active=True,
        )
        .exclude(user__email="")
        .order_by("partnership_id", "escalation_step")
        .values_list("partnership_id", "user__email")
    )
    paths = defaultdict(list)
    for partnership_id, email in steps:
        if email not in paths[partnership_id]:
            paths[partnership_id].append(email)
    return dict(paths)
