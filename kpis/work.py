"""What "My work" lists from the KPI side (``plugins.WorkSource``): corrective actions a user
owns, and values to enter for the partnerships they own."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from partnerships.later import Later, deferrable
from partnerships.links import path_maker, url
from partnerships.work import WorkItem

from . import periods
from .models import CorrectiveAction, Frequency, Kpi, Snapshot

# A period's value is due this many days after the period ends.
ENTRY_GRACE_DAYS = 7


@deferrable
def corrective_actions(user, today):
    owned = CorrectiveAction.objects.filter(owner=user, state__in=CorrectiveAction.OPEN_STATES)
    fields = ("partnership_id", "partnership__title", "description", "due_date", "alert_id")
    owned = owned.values("pk", *fields, "kpi__name")
    alert = path_maker("kpis:alert_detail")

    def made(rows):
        return [
            WorkItem(
                kind="kpis.corrective",
                pk=action["pk"],
                partnership_id=action["partnership_id"],
                partnership_title=action["partnership__title"],
                title=action["description"].splitlines()[0][:200] if action["description"] else "",
                due_date=action["due_date"],
                url=alert(action["alert_id"]),
                detail=f"Corrective action for {action['kpi__name']}",
            )
            for action in rows
        ]

    return Later(owned, made)


def _missing_values(user, today):
    """The KPIs to enter values for, of each frequency the period that is due."""
    kpis = Kpi.objects.filter(partnership__owner=user, is_active=True).exclude(entered_by="partner")
    due = {}
    missing = Q()
    for frequency in Frequency.values:
        period = periods.recent_periods(frequency, 2, today)[0]
        due[frequency] = period
        missing |= Q(frequency=frequency) & ~Exists(
            Snapshot.objects.filter(kpi=OuterRef("pk"), period=period, value__isnull=False)
        )
    return kpis.filter(missing), due


@deferrable
def values_to_enter(user, today):
    """One item per KPI of the user's partnerships (entered on our side) whose last closed
    period has no value yet, in one query (``values_to_enter_reference`` read them with one
    more per frequency, a round trip each of the digest's "Needs you"). A manager of a large
    portfolio has hundreds: the link, label and due date are made once per frequency, not
    once per item (a ``reverse()`` each was ~16 ms of a digest for 320 items)."""
    missing, due = _missing_values(user, today)
    rows = missing.order_by("pk").values(
        "pk", "partnership_id", "partnership__title", "name", "frequency"
    )
    grid = url("kpis:entry_grid")
    label = {f: periods.period_label(period, f) for f, period in due.items()}
    due_on = {
        f: periods.period_end(period, f) + timedelta(days=ENTRY_GRACE_DAYS)
        for f, period in due.items()
    }

    def made(rows):
        return [
            WorkItem(
                kind="kpis.entry",
                pk=kpi["pk"],
                partnership_id=kpi["partnership_id"],
                partnership_title=kpi["partnership__title"],
                title=f"Enter {kpi['name']} for {label[kpi['frequency']]}",
                due_date=due_on[kpi["frequency"]],
                url=f"{grid}?partnership={kpi['partnership_id']}",
                detail="KPI value",
            )
            for kpi in rows
        ]

    return Later(rows, made)


def values_to_enter_reference(user, today):
    """What ``values_to_enter`` gives, frequency by frequency."""
    found = []
    kpis = Kpi.objects.filter(partnership__owner=user, is_active=True).exclude(entered_by="partner")
    for frequency in kpis.order_by().values_list("frequency", flat=True).distinct():
        period = periods.recent_periods(frequency, 2, today)[0]
        missing = (
            kpis.filter(frequency=frequency)
            .exclude(
                Exists(
                    Snapshot.objects.filter(kpi=OuterRef("pk"), period=period, value__isnull=False)
                )
            )
            .select_related("partnership")
        )
        due = periods.period_end(period, frequency) + timedelta(days=ENTRY_GRACE_DAYS)
        label = periods.period_label(period, frequency)
        for kpi in missing:
            found.append(
                WorkItem(
                    kind="kpis.entry",
                    pk=kpi.pk,
                    partnership_id=kpi.partnership_id,
                    partnership_title=kpi.partnership.title,
                    title=f"Enter {kpi.name} for {label}",
                    due_date=due,
                    url=f"{reverse('kpis:entry_grid')}?partnership={kpi.partnership_id}",
                    detail="KPI value",
                )
            )
    return found
