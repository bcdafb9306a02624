"""Due diligence: the checklist panel, its items and evidence, and the sign-off."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from partnerships.access import can_edit_partnership
from partnerships.roles import is_executive

from .. import selectors, services
from ..forms import (
    ChecklistDueForm,
    ChecklistItemForm,
    ChecklistStartForm,
    EvidenceForm,
    SignOffForm,
)
from ..models import (
    CLEARED,
    CONCLUDED,
    Checklist,
    ChecklistItem,
    Evidence,
    Section,
)
from .common import _cached_panel, _form_page, _partnership


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
