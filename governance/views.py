"""Function views: parse the request, check access, call a service or selector, render.

Every partnership-scoped view starts with ``_partnership`` (404 if not visible, 403 if it
cannot be changed). Panel views answer HTMX with the panel fragment and a plain request with
the whole page.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, ProtectedError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from partnerships import pagecache
from partnerships.access import can_edit_partnership, get_partnership_for_user
from partnerships.htmx import fragment
from partnerships.models import Partnership
from partnerships.roles import is_executive

from . import selectors, services
from .forms import (
    ActionItemForm,
    ChecklistDueForm,
    ChecklistItemForm,
    ChecklistStartForm,
    DecisionForm,
    EvidenceForm,
    GovernanceRoleForm,
    MeetingCadenceForm,
    MeetingForm,
    PerformanceReviewForm,
    RaciForm,
    RiskFilterForm,
    RiskForm,
    SignOffForm,
)
from .models import (
    CLEARED,
    CONCLUDED,
    OPEN_ACTION,
    ActionItem,
    Checklist,
    ChecklistItem,
    DecisionArea,
    Evidence,
    GovernanceRole,
    Meeting,
    MeetingCadence,
    PerformanceReview,
    RaciLetter,
    Risk,
    RiskStatus,
    RoleKind,
    Section,
)

PANEL_ROWS = 8
KIND_ORDER = {kind: index for index, kind in enumerate(RoleKind.values)}
PAGE_SIZE = 25


def _partnership(request, pk, *, edit=False):
    queryset = Partnership.objects.select_related("partner", "owner")
    return get_partnership_for_user(request.user, pk, edit=edit, queryset=queryset)


def _is_fragment(request):
    htmx = getattr(request, "htmx", None)
    return bool(htmx and not htmx.boosted and not htmx.history_restore_request)


def _form_page(request, form, *, title, partnership, back_url, intro="", extra=None):
    context = {
        "form": form,
        "title": title,
        "partnership": partnership,
        "back_url": back_url,
        "intro": intro,
        **(extra or {}),
    }
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "governance/form.html", context, status=status)


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# Due diligence -----------------------------------------------------------------------------


def _dd_context(request, partnership, *, full, **extra):
    today = timezone.localdate()
    checklist = (
        Checklist.objects.select_related("signed_off_by", "started_by")
        .filter(partnership=partnership)
        .first()
    )
    context = {
        "partnership": partnership,
        "checklist": checklist,
        "can_edit": can_edit_partnership(request.user, partnership),
        "can_sign_off": is_executive(request.user),
        "today": today,
        "full": full,
        **extra,
    }
    if checklist is None:
        context["start_form"] = extra.get("start_form") or ChecklistStartForm()
        return context
    items = list(
        checklist.items.select_related("reviewer")
        .annotate(evidence_count=Count("evidence"))
        .order_by("order", "pk")
    )
    for item in items:
        item.checklist = checklist  # spare a query per item in is_overdue
        item.overdue = item.is_overdue(today)
        item.due = item.due_date or checklist.due_date
    sections = []
    labels = dict(Section.choices)
    for value in Section.values:
        in_section = [i for i in items if i.section == value]
        if in_section:
            sections.append(
                {
                    "label": labels[value],
                    "items": in_section,
                    "progress": selectors.dd_progress(in_section),
                    "done": sum(1 for i in in_section if i.status in CONCLUDED),
                    "overdue": sum(1 for i in in_section if i.overdue),
                }
            )
    blockers = services.checklist_blockers(items)
    context.update(
        {
            "items": items,
            "sections": sections,
            "progress": selectors.dd_progress(items),
            "score": selectors.dd_score(items),
            "required_open": [i for i in items if i.required and i.status not in CLEARED],
            "required_count": sum(1 for i in items if i.required),
            "overdue_items": [i for i in items if i.overdue],
            "waived_items": [i for i in items if i.status == "waived"],
            "blockers": blockers,
            "sign_off_form": extra.get("sign_off_form") or SignOffForm(),
            "editable": context["can_edit"] and not checklist.is_signed_off,
        }
    )
    return context


def _cached_panel(request, pk, name, build_context):
    """A governance panel of the partnership page, from the page cache: the template
    ``governance/<name>.html`` with ``build_context(request, partnership, full=...)``."""
    partnership = _partnership(request, pk)
    return pagecache.panel(
        request,
        f"governance/{name}.html",
        lambda: build_context(request, partnership, full=not _is_fragment(request)),
        key=f"{name}:{partnership.pk}",
    )


def dd_panel(request, pk):
    return _cached_panel(request, pk, "dd", _dd_context)


def dd_start(request, pk):
    partnership = _partnership(request, pk, edit=True)
    form = ChecklistStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.checklist_start(
                partnership=partnership,
                by=request.user,
                template=form.cleaned_data["template"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Due diligence started: the checklist is ready.")
            return redirect("governance:dd", pk=partnership.pk)
    return _form_page(
        request,
        form,
        title="Start due diligence",
        partnership=partnership,
        back_url=reverse("governance:dd", kwargs={"pk": partnership.pk}),
        intro="The template's items are copied into this partnership's own checklist.",
    )


def dd_edit(request, pk):
    partnership = _partnership(request, pk, edit=True)
    checklist = get_object_or_404(Checklist, partnership=partnership)
    form = ChecklistDueForm(request.POST or None, instance=checklist)
    if request.method == "POST" and form.is_valid():
        try:
            services.checklist_update(checklist=checklist, due_date=form.cleaned_data["due_date"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Checklist due date saved.")
            return redirect("governance:dd", pk=partnership.pk)
    return _form_page(
        request,
        form,
        title="Due-diligence due date",
        partnership=partnership,
        back_url=reverse("governance:dd", kwargs={"pk": partnership.pk}),
        intro="Items without their own due date are due by this date.",
    )


def _get_item(partnership, item_pk):
    return get_object_or_404(
        ChecklistItem.objects.select_related("checklist", "reviewer"),
        pk=item_pk,
        checklist__partnership=partnership,
    )


def _item_page(request, partnership, item, *, form=None, evidence_form=None, status=200):
    can_edit = can_edit_partnership(request.user, partnership)
    editable = can_edit and not item.checklist.is_signed_off
    context = {
        "partnership": partnership,
        "item": item,
        "checklist": item.checklist,
        "form": form or ChecklistItemForm(instance=item),
        "evidence_form": evidence_form or EvidenceForm(),
        "evidence": item.evidence.select_related("uploaded_by"),
        "can_edit": can_edit,
        "editable": editable,
        "overdue": item.is_overdue(timezone.localdate()),
    }
    return render(request, "governance/dd_item.html", context, status=status)


def dd_item(request, pk, item_pk):
    partnership = _partnership(request, pk, edit=request.method == "POST")
    item = _get_item(partnership, item_pk)
    if request.method != "POST":
        return _item_page(request, partnership, item)
    form = ChecklistItemForm(request.POST, instance=ChecklistItem.objects.get(pk=item.pk))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.checklist_item_update(
                item=item,
                by=request.user,
                status=data["status"],
                rating=data["rating"],
                evidence_notes=data["evidence_notes"],
                waiver_reason=data["waiver_reason"],
                due_date=data["due_date"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"‘{item.question}’ saved.")
            return redirect("governance:dd", pk=partnership.pk)
    return _item_page(request, partnership, item, form=form, status=422)


@require_POST
def dd_evidence_upload(request, pk, item_pk):
    partnership = _partnership(request, pk, edit=True)
    item = _get_item(partnership, item_pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(item=item, file=form.cleaned_data["file"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Evidence uploaded.")
            return redirect("governance:dd_item", pk=partnership.pk, item_pk=item.pk)
    return _item_page(request, partnership, item, evidence_form=form, status=422)


def dd_evidence_download(request, pk, evidence_pk):
    partnership = _partnership(request, pk)
    evidence = get_object_or_404(Evidence, pk=evidence_pk, item__checklist__partnership=partnership)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name)


@require_POST
def dd_evidence_delete(request, pk, evidence_pk):
    partnership = _partnership(request, pk, edit=True)
    evidence = get_object_or_404(
        Evidence.objects.select_related("item__checklist"),
        pk=evidence_pk,
        item__checklist__partnership=partnership,
    )
    item_pk = evidence.item_id
    try:
        services.evidence_remove(evidence=evidence)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Evidence removed.")
    return redirect("governance:dd_item", pk=partnership.pk, item_pk=item_pk)


@require_POST
def dd_sign_off(request, pk):
    partnership = _partnership(request, pk)
    if not is_executive(request.user):
        raise PermissionDenied("Only an executive can sign off due diligence.")
    checklist = get_object_or_404(Checklist, partnership=partnership)
    form = SignOffForm(request.POST)
    if form.is_valid():
        try:
            services.checklist_sign_off(
                checklist=checklist, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Due diligence signed off. The checklist is now read-only.")
            return redirect("governance:dd", pk=partnership.pk)
    context = _dd_context(request, partnership, full=True, sign_off_form=form)
    return render(request, "governance/dd.html", context, status=422)


# Governance roles, RACI, escalation ------------------------------------------------------


def _governance_context(request, partnership, *, raci_form=None, full=False):
    today = timezone.localdate()
    roles = sorted(
        partnership.governance_roles.select_related("user", "contact"),
        key=lambda r: (r.level != "strategic", KIND_ORDER.get(r.kind, 99), r.pk),
    )
    assignments = list(partnership.raci.all())
    can_edit = can_edit_partnership(request.user, partnership)
    cadences = selectors.cadences_with_dates(
        MeetingCadence.objects.filter(partnership=partnership, is_active=True), today=today
    )
    upcoming = min(cadences, key=lambda c: c.due) if cadences else None
    return {
        "partnership": partnership,
        "roles": roles,
        "strategic_roles": [r for r in roles if r.level == "strategic"],
        "operational_roles": [r for r in roles if r.level == "operational"],
        "escalation_path": sorted(
            (r for r in roles if r.escalation_step), key=lambda r: r.escalation_step
        ),
        "raci_form": raci_form
        or RaciForm(partnership=partnership, roles=roles, assignments=assignments),
        "areas": DecisionArea.choices,
        "letters": RaciLetter.choices,
        "can_edit": can_edit,
        "next_cadence": upcoming,
        "today": today,
        "full": full,
    }


def governance_panel(request, pk):
    return _cached_panel(request, pk, "governance", _governance_context)


@require_POST
def raci_update(request, pk):
    partnership = _partnership(request, pk, edit=True)
    roles = list(partnership.governance_roles.select_related("user", "contact"))
    form = RaciForm(
        request.POST, partnership=partnership, roles=roles, assignments=partnership.raci.all()
    )
    saved = False
    if form.is_valid():
        try:
            services.raci_set(partnership=partnership, cells=form.cells())
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            saved = True
    if _is_fragment(request):
        # HTMX only swaps 2xx answers, so errors come back as a 200 fragment showing them.
        context = _governance_context(request, partnership)
        if saved:
            context["raci_form"] = RaciForm(
                partnership=partnership, roles=roles, assignments=partnership.raci.all()
            )
            context["raci_saved"] = True
        else:
            context["raci_form"] = form
        return render(request, "governance/governance.html#raci", context)
    if saved:
        messages.success(request, "RACI saved.")
        return redirect("governance:governance", pk=partnership.pk)
    context = _governance_context(request, partnership, raci_form=form, full=True)
    return render(request, "governance/governance.html", context, status=422)


def role_form(request, pk, role_pk=None):
    partnership = _partnership(request, pk, edit=True)
    role = (
        get_object_or_404(GovernanceRole, pk=role_pk, partnership=partnership)
        if role_pk
        else GovernanceRole(partnership=partnership)
    )
    form = GovernanceRoleForm(request.POST or None, instance=role, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Role saved: {form.instance}.")
        return redirect("governance:governance", pk=partnership.pk)
    return _form_page(
        request,
        form,
        title="Edit governance role" if role_pk else "Assign a governance role",
        partnership=partnership,
        back_url=reverse("governance:governance", kwargs={"pk": partnership.pk}),
        intro="Roles are held by someone on our side or by a partner contact.",
        extra={
            "delete_url": reverse(
                "governance:role_delete", kwargs={"pk": partnership.pk, "role_pk": role.pk}
            )
            if role_pk
            else None
        },
    )


@require_POST
def role_delete(request, pk, role_pk):
    partnership = _partnership(request, pk, edit=True)
    role = get_object_or_404(GovernanceRole, pk=role_pk, partnership=partnership)
    try:
        role.delete()
    except ProtectedError:
        messages.error(
            request, f"{role} took recorded decisions, so the role is kept for the record."
        )
    else:
        messages.success(request, "Role removed.")
    return redirect("governance:governance", pk=partnership.pk)


# Meetings, decisions, actions, reviews -----------------------------------------------------


def _meetings_context(request, partnership, *, full):
    today = timezone.localdate()
    cadences = selectors.cadences_with_dates(
        MeetingCadence.objects.filter(partnership=partnership), today=today
    )
    open_actions = partnership.action_items.filter(status__in=OPEN_ACTION).select_related(
        "owner", "owner_contact", "meeting"
    )
    open_count = open_actions.count()
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
        "overdue_action_count": partnership.action_items.filter(
            status__in=OPEN_ACTION, due_date__lt=today
        ).count(),
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
    if not action_pk and request.GET.get("meeting", "").isdigit():
        initial["meeting"] = request.GET["meeting"]
    form = ActionItemForm(
        request.POST or None, instance=action, partnership=partnership, initial=initial
    )
    default_back = reverse("governance:meetings", kwargs={"pk": partnership.pk})
    if request.method == "POST" and form.is_valid():
        services.action_item_save(action=form.save(commit=False))
        messages.success(request, "Action item saved.")
        return redirect(_safe_next(request, default_back))
    return _form_page(
        request,
        form,
        title="Edit action item" if action_pk else "New action item",
        partnership=partnership,
        back_url=_safe_next(request, default_back),
        extra={"next": _safe_next(request, "")},
    )


@require_POST
def action_done(request, pk, action_pk):
    partnership = _partnership(request, pk, edit=True)
    action = get_object_or_404(
        ActionItem.objects.select_related("owner", "owner_contact", "meeting"),
        pk=action_pk,
        partnership=partnership,
    )
    services.action_item_complete(action=action)
    if _is_fragment(request):
        action.overdue = False
        context = {
            "partnership": partnership,
            "action": action,
            "can_edit": True,
            "today": timezone.localdate(),
        }
        return render(request, "governance/meetings.html#action-row", context)
    messages.success(request, f"‘{action.title}’ marked done.")
    return redirect(_safe_next(request, reverse("governance:meetings", kwargs={"pk": pk})))


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


# Risks -----------------------------------------------------------------------------------


def _risks_context(request, partnership, *, full):
    today = timezone.localdate()
    risks = partnership.risks.all()
    open_risks = risks.exclude(status=RiskStatus.CLOSED)
    heat, total = selectors.heat_map(open_risks)
    top = list(open_risks.select_related("owner")[:PANEL_ROWS])
    for risk in top:
        risk.review_overdue = risk.is_review_overdue(today)
    context = {
        "partnership": partnership,
        "can_edit": can_edit_partnership(request.user, partnership),
        "heat": heat,
        "open_total": total,
        "top_risks": top,
        "review_overdue_count": open_risks.filter(review_date__lt=today).count(),
        "cell_url": reverse("governance:risks", kwargs={"pk": partnership.pk}),
        "today": today,
        "full": full,
    }
    if full:
        filters = RiskFilterForm(request.GET)
        page = Paginator(
            filters.apply(risks, today=today).select_related("owner"), PAGE_SIZE
        ).get_page(request.GET.get("page"))
        for risk in page.object_list:
            risk.review_overdue = risk.is_review_overdue(today)
        context.update({"filters": filters, "page": page, **_selected_cell(filters)})
    return context


def risks_panel(request, pk):
    return _cached_panel(request, pk, "risks", _risks_context)


def risk_form(request, pk, risk_pk=None):
    partnership = _partnership(request, pk, edit=request.method == "POST")
    risk = (
        get_object_or_404(Risk, pk=risk_pk, partnership=partnership)
        if risk_pk
        else Risk(partnership=partnership)
    )
    can_edit = can_edit_partnership(request.user, partnership)
    if not risk_pk and not can_edit:
        raise PermissionDenied("You can see this partnership but not change it.")
    form = RiskForm(request.POST or None, instance=risk, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        services.risk_save(
            risk=form.save(commit=False),
            by=request.user,
            note=form.cleaned_data.get("change_note", ""),
        )
        messages.success(request, "Risk saved.")
        return redirect("governance:risks", pk=partnership.pk)
    context = {
        "form": form,
        "partnership": partnership,
        "risk": risk if risk_pk else None,
        "history": risk.history.select_related("changed_by") if risk_pk else [],
        "can_edit": can_edit,
        "today": timezone.localdate(),
        "title": risk.title if risk_pk else "New risk",
    }
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "governance/risk_form.html", context, status=status)


def _selected_cell(filters):
    data = filters.cleaned_data if filters.is_valid() else {}
    return {"selected_l": data.get("likelihood"), "selected_i": data.get("impact")}


def portfolio_risks(request):
    today = timezone.localdate()
    visible = Partnership.objects.visible_to(request.user)
    risks = Risk.objects.filter(partnership__in=visible)
    heat, total = selectors.heat_map(risks.exclude(status=RiskStatus.CLOSED))
    filters = RiskFilterForm(request.GET)
    queryset = filters.apply(risks, today=today).select_related("owner", "partnership__partner")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for risk in page.object_list:
        risk.review_overdue = risk.is_review_overdue(today)
    context = {
        "heat": heat,
        "open_total": total,
        "filters": filters,
        "page": page,
        "cell_url": reverse("governance:portfolio_risks"),
        "review_overdue_count": risks.exclude(status=RiskStatus.CLOSED)
        .filter(review_date__lt=today)
        .count(),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "today": today,
        **_selected_cell(filters),
    }
    return render(request, fragment(request, "governance/portfolio_risks.html", "results"), context)
