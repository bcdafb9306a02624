"""Alerts and corrective actions: inbox, detail, acknowledgement, actions, checkpoints."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from partnerships.htmx import fragment
from partnerships.models import Partnership
from partnerships.redirects import safe_next

from .. import selectors, services
from ..forms import (
    AcknowledgeForm,
    AlertFilterForm,
    CheckpointForm,
    CorrectiveActionEditForm,
    CorrectiveActionForm,
)
from ..models import (
    Checkpoint,
    CorrectiveAction,
)
from .common import _add_errors, _alert

PAGE_SIZE = 25


def alert_inbox(request):
    form = AlertFilterForm(request.GET or None, user=request.user)
    queryset = form.apply(selectors.inbox_queryset(request.user))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for alert in page.object_list:
        alert.can_acknowledge = alert.is_open and services.can_acknowledge(request.user, alert)
    context = {
        "form": form,
        "page": page,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "today": timezone.localdate(),
    }
    return render(request, fragment(request, "kpis/alert_inbox.html", "results"), context)


def alert_detail(request, alert_pk):
    alert = _alert(request, alert_pk)
    story = selectors.alert_story(alert)
    timeline = _timeline(alert, story)
    context = {
        "alert": alert,
        "kpi": alert.kpi,
        "partnership": alert.partnership,
        "today": timezone.localdate(),
        "can_acknowledge": alert.is_open and services.can_acknowledge(request.user, alert),
        "can_edit": services.can_edit_kpis(request.user, alert.partnership),
        "ack_form": AcknowledgeForm(),
        "timeline": timeline,
        **story,
    }
    return render(request, "kpis/alert_detail.html", context)


def _timeline(alert, story):
    """Events and checkpoints in one story, oldest first."""
    items = [{"at": e.at, "event": e} for e in story["events"]]
    for action in story["actions"]:
        for cp in action.checkpoints.all():
            if cp.recorded_at:
                items.append({"at": cp.recorded_at, "checkpoint": cp, "action": action})
    return sorted(items, key=lambda item: item["at"])


@require_POST
def alert_acknowledge(request, alert_pk):
    alert = _alert(request, alert_pk)
    if not services.can_acknowledge(request.user, alert):
        raise PermissionDenied("Only executives and the partnership owner acknowledge alerts.")
    form = AcknowledgeForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            alert = services.alert_acknowledge(
                alert=alert, by=request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = "Say what is being done about it."
    if request.htmx:
        alert = selectors.inbox_queryset(request.user).get(pk=alert.pk)
        alert.can_acknowledge = alert.is_open and services.can_acknowledge(request.user, alert)
        context = {"alert": alert, "ack_error": error, "today": timezone.localdate()}
        # The row carries its own error message; HTMX only swaps 2xx answers.
        return render(request, "kpis/alert_inbox.html#row", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Alert acknowledged.")
    return redirect(safe_next(request, alert.get_absolute_url()))


def action_create(request, alert_pk):
    alert = _alert(request, alert_pk)
    if not services.can_edit_kpis(request.user, alert.partnership):
        raise PermissionDenied("You can see this alert but not act on it.")
    form = CorrectiveActionForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            form.create(alert=alert, by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Corrective action added with its checkpoints.")
            return redirect(alert)
    return render(
        request,
        "partnerships/form.html",
        {
            "form": form,
            "title": f"Corrective action for {alert.kpi.name}",
            "cancel_url": alert.get_absolute_url(),
        },
    )


def action_edit(request, action_pk):
    action = get_object_or_404(
        CorrectiveAction.objects.filter(
            partnership__in=Partnership.objects.visible_to(request.user)
        ).select_related("alert__kpi", "partnership"),
        pk=action_pk,
    )
    if not services.can_edit_kpis(request.user, action.partnership):
        raise PermissionDenied("You can see this action but not change it.")
    form = CorrectiveActionEditForm(request.POST or None, instance=action)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                action=action,
                by=request.user,
                changes={name: form.cleaned_data[name] for name in form.changed_data},
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Corrective action saved.")
            return redirect(action.alert)
    return render(
        request,
        "partnerships/form.html",
        {
            "form": form,
            "title": "Edit corrective action",
            "cancel_url": action.alert.get_absolute_url(),
        },
    )


@require_POST
def checkpoint_record(request, checkpoint_pk):
    checkpoint = get_object_or_404(
        Checkpoint.objects.filter(
            action__partnership__in=Partnership.objects.visible_to(request.user)
        ).select_related("action__partnership", "action__alert"),
        pk=checkpoint_pk,
    )
    if not services.can_edit_kpis(request.user, checkpoint.action.partnership):
        raise PermissionDenied("You can see this checkpoint but not record it.")
    form = CheckpointForm(request.POST)
    form.is_valid()
    services.checkpoint_record(
        checkpoint=checkpoint, by=request.user, note=form.cleaned_data.get("note", "")
    )
    messages.success(request, "Checkpoint recorded from the KPI's latest result.")
    return redirect(checkpoint.action.alert)
