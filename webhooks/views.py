"""Executives register the webhooks Concord posts its events to, and read what was delivered."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from outbox.models import Message
from outbox.origins import origin_of
from partnerships.roles import is_executive

from . import events
from .forms import WebhookForm
from .models import EVENT_LABELS, Webhook, new_secret

PAGE_SIZE = 25


def _executive_only(request):
    if not is_executive(request.user):
        raise PermissionDenied("Only executives manage the webhooks.")


def _webhook(request, pk):
    _executive_only(request)
    return get_object_or_404(Webhook, pk=pk)


def webhook_list(request):
    _executive_only(request)
    latest = Message.objects.filter(
        origin=Concat(Value(f"{events.ORIGIN}:"), Cast(OuterRef("pk"), CharField()))
    ).order_by("-created_at", "-pk")
    hooks = Webhook.objects.annotate(
        last_status=Subquery(latest.values("status")[:1]),
        last_at=Subquery(latest.values("created_at")[:1]),
    )
    page = Paginator(hooks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "webhooks/list.html", {"page": page})


def webhook_form(request, webhook_pk=None):
    _executive_only(request)
    editing = webhook_pk is not None
    hook = _webhook(request, webhook_pk) if editing else Webhook(created_by=request.user)
    form = WebhookForm(request.POST or None, instance=hook)
    if request.method == "POST" and form.is_valid():
        hook = form.save()
        messages.success(request, f"Webhook saved: {hook.name}.")
        return redirect(hook)
    context = {
        "form": form,
        "title": f"Edit {hook.name}" if editing else "New webhook",
        "cancel_url": hook.get_absolute_url() if editing else reverse("webhooks:list"),
    }
    return render(request, "partnerships/form.html", context, status=422 if form.errors else 200)


def webhook_detail(request, webhook_pk):
    hook = _webhook(request, webhook_pk)
    deliveries = Message.objects.filter(origin=origin_of(events.ORIGIN, hook.pk)).only(
        "subject",
        "status",
        "attempts",
        "last_error",
        "payload",
        "created_at",
        "sent_at",
        "next_attempt_at",
    )
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    for delivery in page.object_list:
        delivery.event_label = EVENT_LABELS.get(delivery.payload.get("event"), "—")
        delivery.response_code = delivery.payload.get("response_code")
        # The outbox names the exception class first; the sentence after it is the news.
        delivery.error = delivery.last_error.removeprefix("DeliveryError: ")
    context = {"hook": hook, "page": page, "reveal": request.GET.get("secret") == "show"}
    return render(request, "webhooks/detail.html", context)


@require_POST
def webhook_rotate(request, webhook_pk):
    hook = _webhook(request, webhook_pk)
    hook.secret = new_secret()
    hook.secret_rotated_at = timezone.now()
    hook.save(update_fields=["secret", "secret_rotated_at"])
    messages.success(
        request,
        "New signing secret made. Deliveries from now on, retries included, are signed with it: "
        "give it to the receiver.",
    )
    return redirect(f"{hook.get_absolute_url()}?secret=show")


@require_POST
def webhook_test(request, webhook_pk):
    hook = _webhook(request, webhook_pk)
    with transaction.atomic():
        events.send_test(hook, by=request.user)
    messages.success(request, "Test event queued: it appears in the delivery log below.")
    return redirect(hook)


@require_POST
def webhook_delete(request, webhook_pk):
    hook = _webhook(request, webhook_pk)
    name = hook.name
    hook.delete()
    messages.success(request, f"Webhook deleted: {name}. Nothing more is sent to it.")
    return redirect("webhooks:list")
