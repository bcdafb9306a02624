"""The obligations panel of the partnership page (and its full page), the document and
obligation forms, and the downloads. Access as for the agreement: seeing the partnership lets
one read and download, changing it lets one write (partnerships.access)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from partnerships import pagecache
from partnerships.access import can_edit_partnership, get_partnership_for_user
from partnerships.form_pages import form_page
from partnerships.htmx import wants_fragment
from partnerships.models import Agreement, Partnership

from . import selectors, services
from .forms import DocumentForm, EndForm, FulfilForm, ObligationForm, VersionForm
from .models import Document, DocumentVersion, Fulfilment, Obligation
from .occurrences import company_today

PANEL_HISTORY = 5


def _partnership(request, pk, *, edit=False):
    queryset = Partnership.objects.select_related("partner", "owner")
    return get_partnership_for_user(request.user, pk, edit=edit, queryset=queryset)


def _agreement(partnership):
    agreement = Agreement.objects.filter(partnership=partnership).first()
    if agreement is None:
        raise Http404("This partnership has no agreement yet.")
    return agreement


def _panel_url(partnership):
    return reverse("contracts:panel", kwargs={"pk": partnership.pk})


def _panel_context(request, partnership, *, full):
    today = company_today()
    agreement = Agreement.objects.filter(partnership=partnership).first()
    obligations = selectors.partnership_obligations(partnership) if agreement else []
    for obligation in obligations:
        label, tone, overdue, upcoming = selectors.standing(obligation, today)
        obligation.standing = {
            "label": label,
            "tone": tone,
            "overdue": overdue,
            "next": upcoming,
            "open": tone in ("red", "amber"),
        }
    history = selectors.obligation_history(partnership, limit=None if full else PANEL_HISTORY)
    return {
        "partnership": partnership,
        "agreement": agreement,
        "documents": selectors.partnership_documents(partnership) if agreement else [],
        "obligations": obligations,
        "late_count": sum(1 for o in obligations if o.standing["overdue"]),
        "history": history,
        "fulfilments": selectors.recent_fulfilments(partnership) if full else [],
        "can_edit": can_edit_partnership(request.user, partnership),
        "today": today,
        "full": full,
    }


def panel(request, pk):
    partnership = _partnership(request, pk)
    return pagecache.panel(
        request,
        "contracts/panel.html",
        lambda: _panel_context(request, partnership, full=not wants_fragment(request)),
        key=f"contracts:{partnership.pk}",
    )


def _form_page(request, form, *, title, partnership, intro="", extra=None):
    return form_page(
        request,
        form,
        title=title,
        partnership=partnership,
        back_url=_panel_url(partnership),
        back_label="Contract & obligations",
        intro=intro,
        extra=extra,
    )


def _saved(request, partnership, message, anchor=""):
    messages.success(request, message)
    return redirect(_panel_url(partnership) + anchor)


# Documents ------------------------------------------------------------------------------------


def document_create(request, pk):
    partnership = _partnership(request, pk, edit=True)
    agreement = _agreement(partnership)
    form = DocumentForm(request.POST or None, request.FILES or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_add(
                agreement=agreement,
                title=data["title"],
                kind=data["kind"],
                amendment=data["amendment"],
                file=data["file"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, partnership, "Document uploaded.", "#documents")
    return _form_page(request, form, title="Add a contract document", partnership=partnership)


def version_create(request, pk, document_pk):
    partnership = _partnership(request, pk, edit=True)
    document = get_object_or_404(Document, pk=document_pk, agreement__partnership=partnership)
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_version_add(
                document=document,
                file=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, partnership, "New version uploaded.", "#documents")
    return _form_page(
        request,
        form,
        title=f"New version of “{document.title}”",
        partnership=partnership,
        intro="The earlier versions stay and can still be downloaded.",
    )


def version_download(request, pk, version_pk):
    partnership = _partnership(request, pk)
    version = get_object_or_404(
        DocumentVersion, pk=version_pk, document__agreement__partnership=partnership
    )
    return _file(version.file, version.original_name)


def _file(field, name):
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("The file is missing from storage.") from None
    return FileResponse(handle, as_attachment=True, filename=name)


# Obligations ----------------------------------------------------------------------------------


def _obligation(partnership, obligation_pk):
    return get_object_or_404(
        Obligation.objects.select_related("agreement", "owner"),
        pk=obligation_pk,
        partnership=partnership,
    )


def obligation_create(request, pk):
    partnership = _partnership(request, pk, edit=True)
    agreement = _agreement(partnership)
    form = ObligationForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            services.obligation_add(
                agreement=agreement,
                by=request.user,
                amendment=form.cleaned_data["amendment"],
                note=form.cleaned_data["note"],
                **form.terms(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, partnership, "Obligation added.", "#obligations")
    return _form_page(request, form, title="Add an obligation", partnership=partnership)


def obligation_edit(request, pk, obligation_pk):
    partnership = _partnership(request, pk, edit=request.method == "POST")
    obligation = _obligation(partnership, obligation_pk)
    form = ObligationForm(
        request.POST or None,
        instance=Obligation.objects.get(pk=obligation.pk),
        agreement=obligation.agreement,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.obligation_change(
                obligation=obligation,
                by=request.user,
                amendment=form.cleaned_data["amendment"],
                note=form.cleaned_data["note"],
                **form.terms(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(
                request, partnership, "Obligation changed; its history keeps the old terms."
            )
    extra = {}
    if can_edit_partnership(request.user, partnership) and obligation.status == "active":
        pks = [partnership.pk, obligation.pk]
        extra["links"] = [
            ("Mark kept", reverse("contracts:fulfil", args=pks)),
            ("End this obligation", reverse("contracts:obligation_end", args=pks)),
        ]
    return _form_page(
        request, form, title="Change an obligation", partnership=partnership, extra=extra
    )


def obligation_end(request, pk, obligation_pk):
    partnership = _partnership(request, pk, edit=True)
    obligation = _obligation(partnership, obligation_pk)
    form = EndForm(
        request.POST or None,
        initial={"ends_on": company_today()},
        agreement=obligation.agreement,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.obligation_end(
                obligation=obligation,
                by=request.user,
                ends_on=data["ends_on"],
                amendment=data["amendment"],
                note=data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, partnership, "Obligation ended.", "#obligations")
    return _form_page(
        request, form, title=f"End “{obligation.description}”", partnership=partnership
    )


def fulfil(request, pk, obligation_pk):
    partnership = _partnership(request, pk, edit=True)
    obligation = _obligation(partnership, obligation_pk)
    today = company_today()
    obligation = selectors.with_fulfilled(Obligation.objects.filter(pk=obligation.pk)).get()
    occurrences = selectors.open_occurrences(obligation, today)
    form = FulfilForm(
        request.POST or None,
        request.FILES or None,
        occurrences=occurrences,
        initial={"fulfilled_on": today},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.occurrence_fulfil(
                obligation=obligation,
                due_date=selectors.parse_day(data["due_date"]),
                fulfilled_on=data["fulfilled_on"],
                note=data["note"],
                file=data["file"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, partnership, "Recorded as kept.", "#obligations")
    return _form_page(
        request,
        form,
        title=f"Mark kept: “{obligation.description}”",
        partnership=partnership,
        intro="" if occurrences else "Nothing of this obligation is due in the next 30 days.",
    )


def fulfilment_file(request, pk, fulfilment_pk):
    partnership = _partnership(request, pk)
    fulfilment = get_object_or_404(
        Fulfilment, pk=fulfilment_pk, obligation__partnership=partnership
    )
    if not fulfilment.file:
        raise Http404("No file was given as evidence.")
    return _file(fulfilment.file, fulfilment.original_name)


@require_POST
def fulfilment_reopen(request, pk, fulfilment_pk):
    partnership = _partnership(request, pk, edit=True)
    fulfilment = get_object_or_404(
        Fulfilment, pk=fulfilment_pk, obligation__partnership=partnership
    )
    services.occurrence_reopen(fulfilment=fulfilment)
    return _saved(request, partnership, "The occurrence is open again.", "#obligations")
