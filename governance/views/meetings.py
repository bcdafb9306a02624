"""Meetings and their cadences, decisions, action items and performance reviews."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from partnerships.access import can_edit_partnership
from partnerships.ids import parse_id
from partnerships.redirects import safe_next

from .. import selectors, services
from ..forms import (
    ActionItemForm,
    DecisionForm,
    MeetingCadenceForm,
    MeetingForm,
    PerformanceReviewForm,
)
from ..models import (
    OPEN_ACTION,
    ActionItem,
    Meeting,
    MeetingCadence,
    PerformanceReview,
)
from .common import PANEL_ROWS, _cached_panel, _form_page, _is_fragment, _partnership


def _meetings_context(request, partnership, *, full):
    today = timezone.localdate()
    cadences = selectors.cadences_with_dates(
        MeetingCadence.objects.filter(partnership=partnership), today=today
    )
    open_actions = partnership.action_items.filter(status__in=OPEN_ACTION).select_related(
        "owner", "owner_contact", "meeting"
    )
    open_count, overdue_count = _action_counts(partnership, today)
    actions = list(open_actions if full else open_actions[:PANEL_ROWS])
    for action in actions:
        action.overdue = action.is_overdue(today)
    meetings = partnership.meetings.annotate(
        decision_count=Count("decisions", distinct=True),
        action_count=Count("actions", distinct=True),
    ).order_by("-held_on", "-pk")
    context = {
        "partnership": partnership,
        "can_edit": can_edit_partnership(request.user, partnership),
        "today": today,
        "full": full,
        "cadences": cadences,
        "open_actions": actions,
        "open_action_count": open_count,
        "overdue_action_count": overdue_count,
        "recent_meetings": list(meetings.filter(held_on__lte=today)[:5]),
        "planned_meetings": list(meetings.filter(held_on__gt=today).order_by("held_on")[:3]),
        "latest_review": partnership.performance_reviews.select_related("reviewed_by").first(),
        "next_due": selectors.next_meeting_due(cadences),
    }
    if full:
        context["meeting_page"] = Paginator(meetings.select_related("recorded_by"), 20).get_page(
            request.GET.get("page")
        )
        context["reviews"] = partnership.performance_reviews.select_related("reviewed_by")
        context["closed_actions"] = partnership.action_items.exclude(
            status__in=OPEN_ACTION
        ).select_related("owner", "owner_contact")[:20]
    return context


def meetings_panel(request, pk):
    return _cached_panel(request, pk, "meetings", _meetings_context)


def cadence_form(request, pk, cadence_pk=None):
    partnership = _partnership(request, pk, edit=True)
    cadence = (
        get_object_or_404(MeetingCadence, pk=cadence_pk, partnership=partnership)
        if cadence_pk
        else MeetingCadence(partnership=partnership)
    )
    form = MeetingCadenceForm(request.POST or None, instance=cadence, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Meeting cadence saved.")
        return redirect("governance:meetings", pk=partnership.pk)
    return _form_page(
        request,
        form,
        title="Edit meeting cadence" if cadence_pk else "New meeting cadence",
        partnership=partnership,
        back_url=reverse("governance:meetings", kwargs={"pk": partnership.pk}),
        intro="The next meeting falls due one interval after the last one held.",
    )


def meeting_form(request, pk, meeting_pk=None):
    partnership = _partnership(request, pk, edit=True)
    meeting = (
        get_object_or_404(Meeting, pk=meeting_pk, partnership=partnership)
        if meeting_pk
        else Meeting(partnership=partnership, recorded_by=request.user)
    )
    form = MeetingForm(request.POST or None, instance=meeting, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        meeting = form.save()
        messages.success(request, "Meeting saved.")
        return redirect(meeting)
    return _form_page(
        request,
        form,
        title="Edit meeting" if meeting_pk else "Record a meeting",
        partnership=partnership,
        back_url=meeting.get_absolute_url()
        if meeting_pk
        else reverse("governance:meetings", kwargs={"pk": partnership.pk}),
    )


def meeting_detail(request, pk, meeting_pk):
    partnership = _partnership(request, pk, edit=request.method == "POST")
    meeting = get_object_or_404(
        Meeting.objects.select_related("recorded_by"), pk=meeting_pk, partnership=partnership
    )
    form = DecisionForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        form.instance.meeting = meeting
        form.save()
        messages.success(request, "Decision recorded.")
        return redirect(meeting)
    today = timezone.localdate()
    actions = list(meeting.actions.select_related("owner", "owner_contact"))
    for action in actions:
        action.overdue = action.is_overdue(today)
    context = {
        "partnership": partnership,
        "meeting": meeting,
        "attendees": meeting.attendees.all(),
        "partner_attendees": meeting.partner_attendees.all(),
        "decisions": meeting.decisions.select_related("decided_by__user", "decided_by__contact"),
        "actions": actions,
        "decision_form": form,
        "can_edit": can_edit_partnership(request.user, partnership),
        "today": today,
    }
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "governance/meeting_detail.html", context, status=status)


def action_form(request, pk, action_pk=None):
    partnership = _partnership(request, pk, edit=True)
    action = (
        get_object_or_404(ActionItem, pk=action_pk, partnership=partnership)
        if action_pk
        else ActionItem(partnership=partnership)
    )
    initial = {}
    meeting_pk = parse_id(request.GET.get("meeting"))
    if not action_pk and meeting_pk:
        initial["meeting"] = meeting_pk
    form = ActionItemForm(
        request.POST or None, instance=action, partnership=partnership, initial=initial
    )
    default_back = reverse("governance:meetings", kwargs={"pk": partnership.pk})
    if request.method == "POST" and form.is_valid():
        services.action_item_save(action=form.save(commit=False))
        messages.success(request, "Action item saved.")
        return redirect(safe_next(request, default_back))
    return _form_page(
        request,
        form,
        title="Edit action item" if action_pk else "New action item",
        partnership=partnership,
        back_url=safe_next(request, default_back),
        extra={"next": safe_next(request, "")},
    )


@require_POST
def action_done(request, pk, action_pk):
    return _change_action(request, pk, action_pk, services.action_item_complete, "marked done")


@require_POST
def action_reopen(request, pk, action_pk):
    """Undo "Done": the action is open again, as it was."""
    return _change_action(request, pk, action_pk, services.action_item_reopen, "is open again")


def _change_action(request, pk, action_pk, change, said):
    partnership = _partnership(request, pk, edit=True)
    action = get_object_or_404(
        ActionItem.objects.select_related("owner", "owner_contact", "meeting"),
        pk=action_pk,
        partnership=partnership,
    )
    change(action=action)
    if _is_fragment(request):
        return _action_row(request, partnership, action)
    messages.success(request, f"‘{action.title}’ {said}.")
    return redirect(safe_next(request, reverse("governance:meetings", kwargs={"pk": pk})))


def _action_counts(partnership, today):
    open_actions = partnership.action_items.filter(status__in=OPEN_ACTION)
    return open_actions.count(), open_actions.filter(due_date__lt=today).count()


def _action_row(request, partnership, action):
    """The action's row as it now is, with the panel's counts swapped out of band."""
    today = timezone.localdate()
    action.overdue = action.is_overdue(today)
    open_count, overdue_count = _action_counts(partnership, today)
    context = {
        "partnership": partnership,
        "action": action,
        "can_edit": True,
        "today": today,
        "open_action_count": open_count,
        "overdue_action_count": overdue_count,
        "oob": True,
    }
    return render(request, "governance/meetings.html#action-row", context)


def review_form(request, pk, review_pk=None):
    partnership = _partnership(request, pk, edit=True)
    review = (
        get_object_or_404(PerformanceReview, pk=review_pk, partnership=partnership)
        if review_pk
        else PerformanceReview(partnership=partnership, reviewed_by=request.user)
    )
    form = PerformanceReviewForm(request.POST or None, instance=review, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Performance review saved.")
        return redirect("governance:meetings", pk=partnership.pk)
    return _form_page(
        request,
        form,
        title="Edit performance review" if review_pk else "New performance review",
        partnership=partnership,
        back_url=reverse("governance:meetings", kwargs={"pk": partnership.pk}),
        intro="A structured look back over a period, ending in a recommendation.",
    )
