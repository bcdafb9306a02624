"""What ending a partnership closes on the governance side (``plugins.OnEnd``): open action
items are cancelled and open risks closed, each saying why."""

from .models import OPEN_ACTION, ActionItem, ActionStatus, Risk, RiskStatus

OPEN_RISK = (RiskStatus.OPEN, RiskStatus.MITIGATING, RiskStatus.ACCEPTED)


def _plural(count, word):
    return f"{count} {word}{'s' if count != 1 else ''}"


def describe(partnership):
    actions = ActionItem.objects.filter(partnership=partnership, status__in=OPEN_ACTION).count()
    risks = Risk.objects.filter(partnership=partnership, status__in=OPEN_RISK).count()
    lines = []
    if actions:
        lines.append(f"{_plural(actions, 'open action item')} will be cancelled.")
    if risks:
        lines.append(f"{_plural(risks, 'open risk')} will be closed.")
    return lines


def close(partnership, *, by, now, reason):
    ActionItem.objects.filter(partnership=partnership, status__in=OPEN_ACTION).update(
        status=ActionStatus.CANCELLED
    )
    Risk.objects.filter(partnership=partnership, status__in=OPEN_RISK).update(
        status=RiskStatus.CLOSED
    )
