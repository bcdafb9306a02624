"""What ending a partnership closes on the KPI side (``plugins.OnEnd``): its KPIs stop being
tracked, so their open alerts resolve as "KPI deactivated" through the usual recompute, and
corrective actions still open are cancelled."""

from .models import Alert, CorrectiveAction, Kpi
from .services import enqueue_recompute


def _plural(count, word):
    return f"{count} {word}{'s' if count != 1 else ''}"


def describe(partnership):
    kpis = Kpi.objects.filter(partnership=partnership, is_active=True).count()
    alerts = Alert.objects.filter(partnership=partnership, resolved_at__isnull=True).count()
    actions = CorrectiveAction.objects.filter(
        partnership=partnership, state__in=CorrectiveAction.OPEN_STATES
    ).count()
    lines = []
    if kpis:
        line = f"{_plural(kpis, 'active KPI')} will stop being tracked"
        if alerts:
            line += f", and {_plural(alerts, 'open alert')} will be resolved"
        lines.append(line + ".")
    if actions:
        lines.append(f"{_plural(actions, 'open corrective action')} will be cancelled.")
    return lines


def close(partnership, *, by, now, reason):
    ids = list(
        Kpi.objects.filter(partnership=partnership, is_active=True).values_list("pk", flat=True)
    )
    Kpi.objects.filter(pk__in=ids).update(is_active=False)
    CorrectiveAction.objects.filter(
        partnership=partnership, state__in=CorrectiveAction.OPEN_STATES
    ).update(state=CorrectiveAction.State.CANCELLED)
    if ids:
        # The recompute resolves their open alerts, with an event each, as for any KPI
        # deactivated by hand.
        enqueue_recompute(ids)
