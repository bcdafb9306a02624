"""Function views of the integration plan: parse the request, check access, call a service or
selector, render. Who may change a plan is who may change the partnership
(``partnerships.access``), as for the governance panels."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from partnerships import pagecache
from partnerships.access import can_edit_partnership, get_partnership_for_user
from partnerships.form_pages import form_page
from partnerships.htmx import wants_fragment
from partnerships.models import Partnership

from . import gantt, selectors, services
from .forms import CompleteForm, MilestoneForm, WorkstreamForm
from .models import Milestone, Workstream


def _partnership(request, pk, *, edit=False):
    queryset = Partnership.objects.select_related("partner", "owner")
    return get_partnership_for_user(request.user, pk, edit=edit, queryset=queryset)


def _plan_context(request, partnership, *, full):
    today = timezone.localdate()
    plan = selectors.plan_for(partnership, today)
    return {
        "partnership": partnership,
        "can_edit": can_edit_partnership(request.user, partnership),
        "plan": plan,
        "chart": gantt.chart(plan, today),
        "narrow_chart": gantt.chart(plan, today, gantt.NARROW),
        "today": today,
        "full": full,
    }


def plan_panel(request, pk):
    partnership = _partnership(request, pk)
    return pagecache.panel(
        request,
        "integration/plan.html",
        lambda: _plan_context(request, partnership, full=not wants_fragment(request)),
        key=f"integration:{partnership.pk}",
    )


def _form_page(request, form, *, title, partnership, intro="", extra=None):
    return form_page(
        request,
        form,
        title=title,
        partnership=partnership,
        back_url=_back(partnership),
        back_label="Integration plan",
        intro=intro,
        extra=extra,
    )


def _back(partnership):
    return partnership.get_absolute_url() + "#panel-integration"


def workstream_form(request, pk, workstream_pk=None):
    partnership = _partnership(request, pk, edit=True)
    workstream = (
        get_object_or_404(Workstream, pk=workstream_pk, partnership=partnership)
        if workstream_pk
        else Workstream(partnership=partnership)
    )
    form = WorkstreamForm(request.POST or None, instance=workstream, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        services.workstream_save(workstream=form.save(commit=False))
        messages.success(request, "Workstream saved.")
        return redirect(_back(partnership))
    title = f"Edit {workstream.title}" if workstream_pk else "New workstream"
    return _form_page(
        request,
        form,
        title=title,
        partnership=partnership,
        intro="An owner on each side, a RAG status with a note when it is not green.",
    )


def milestone_form(request, pk, workstream_pk=None, milestone_pk=None):
    partnership = _partnership(request, pk, edit=True)
    if milestone_pk:
        milestone = get_object_or_404(
            Milestone.objects.select_related("workstream"),
            pk=milestone_pk,
            workstream__partnership=partnership,
        )
        workstream = milestone.workstream
    else:
        workstream = get_object_or_404(Workstream, pk=workstream_pk, partnership=partnership)
        milestone = Milestone(workstream=workstream)
    workstream.partnership = partnership
    form = MilestoneForm(request.POST or None, instance=milestone, workstream=workstream)
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_save(
                milestone=form.save(commit=False), depends_on=form.cleaned_data["depends_on"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Milestone saved.")
            return redirect(_back(partnership))
    title = f"Edit {milestone.title}" if milestone_pk else f"New milestone · {workstream.title}"
    return _form_page(request, form, title=title, partnership=partnership)


def _milestone(partnership, milestone_pk):
    return get_object_or_404(
        Milestone.objects.select_related("workstream"),
        pk=milestone_pk,
        workstream__partnership=partnership,
    )


def milestone_done(request, pk, milestone_pk):
    partnership = _partnership(request, pk, edit=True)
    milestone = _milestone(partnership, milestone_pk)
    form = CompleteForm(request.POST or None, milestone=milestone)
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_complete(
                milestone=milestone,
                by=request.user,
                done_on=form.cleaned_data["done_on"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{milestone.title}” marked done.")
            return redirect(_back(partnership))
    undone = [d.title for d in milestone.depends_on.filter(done_on__isnull=True)]
    intro = (
        "Not done yet, and this one depends on them: " + ", ".join(undone) + "."
        if undone
        else "Everything it depends on is done."
    )
    return _form_page(
        request, form, title=f"Mark done · {milestone.title}", partnership=partnership, intro=intro
    )


@require_POST
def milestone_reopen(request, pk, milestone_pk):
    partnership = _partnership(request, pk, edit=True)
    milestone = _milestone(partnership, milestone_pk)
    services.milestone_reopen(milestone=milestone)
    messages.success(request, f"“{milestone.title}” reopened.")
    return redirect(_back(partnership))
