"""The renewal decision pack: its page, its PDF, and the forms that open, recommend and
decide. Thin: the rules are in services and the figures in each app's pack sections."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from partnerships.access import can_edit_partnership, get_partnership_for_user
from partnerships.htmx import wants_fragment
from partnerships.models import Partnership
from partnerships.roles import is_executive

from . import pack as packs
from . import selectors, services
from .forms import DecisionForm, RecommendationForm
from .pdf import render_pdf


def _partnership(request, pk):
    queryset = Partnership.objects.select_related("partner", "owner", "agreement")
    return get_partnership_for_user(request.user, pk, queryset=queryset)


def _context(request, partnership, **forms):
    latest, earlier = selectors.packs_of(partnership)
    return {
        "partnership": partnership,
        "pack": latest,
        "earlier": earlier,
        "sources": packs.section_sources(),
        "lead_days": services.lead_days(),
        "can_open": is_executive(request.user) and not (latest and latest.is_open),
        "can_recommend": bool(latest and latest.is_open)
        and can_edit_partnership(request.user, partnership),
        "can_decide": bool(latest and latest.is_open) and is_executive(request.user),
        "recommendation_form": forms.get("recommendation_form")
        or RecommendationForm(initial={"recommendation": latest.recommendation if latest else ""}),
        "decision_form": forms.get("decision_form") or DecisionForm(),
    }


def pack_page(request, pk):
    partnership = _partnership(request, pk)
    return render(request, "renewals/pack.html", _context(request, partnership))


def pack_section(request, pk, key):
    """One section of the pack, loaded into its page (a few queries each)."""
    partnership = _partnership(request, pk)
    if key not in {source.key for source in packs.section_sources()}:
        raise Http404("No such section.")
    assembled = packs.assemble(partnership, today=timezone.localdate(), keys={key})
    context = {"assembled": assembled, "key": key, "partnership": partnership}
    # Opened on its own (without JavaScript, or from a link), it is a page of its own.
    template = "renewals/_sections.html" if wants_fragment(request) else "renewals/section.html"
    return render(request, template, context)


def pack_pdf(request, pk):
    partnership = _partnership(request, pk)
    context = _context(request, partnership)
    context["assembled"] = packs.assemble(partnership, today=timezone.localdate())
    html = render_to_string("renewals/pack_pdf.html", context, request=request)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    name = f"decision-pack-{slugify(partnership.title)}-{timezone.localdate():%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def pack_open(request, pk):
    partnership = _partnership(request, pk)
    if not is_executive(request.user):
        raise PermissionDenied("Only an executive asks for a decision pack.")
    _, created = services.open_pack(partnership, by=request.user)
    if created:
        messages.success(request, "Decision pack assembled; the executives and owner are told.")
    return redirect("renewals:pack", pk=partnership.pk)


@require_POST
def pack_recommend(request, pk):
    partnership = _partnership(request, pk)
    latest, _ = selectors.packs_of(partnership)
    if latest is None or not can_edit_partnership(request.user, partnership):
        raise PermissionDenied("You cannot recommend on this partnership.")
    form = RecommendationForm(request.POST)
    if form.is_valid():
        try:
            services.recommend(latest, text=form.cleaned_data["recommendation"], by=request.user)
        except services.DecisionRefused as refused:
            form.add_error("recommendation", refused.problems)
        else:
            messages.success(request, "Recommendation saved.")
            return redirect("renewals:pack", pk=partnership.pk)
    context = _context(request, partnership, recommendation_form=form)
    return render(request, "renewals/pack.html", context, status=422)


@require_POST
def pack_decide(request, pk):
    partnership = _partnership(request, pk)
    latest, _ = selectors.packs_of(partnership)
    if latest is None or not is_executive(request.user):
        raise PermissionDenied("Only an executive decides a renewal.")
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decided = services.decide(latest, by=request.user, **form.cleaned_data)
        except services.DecisionRefused as refused:
            form.add_error(None, refused.problems)
        else:
            label = decided.get_decision_display().lower()
            moved = decided.get_stage_after_display()
            messages.success(request, f"Decision recorded: {label}. The partnership is {moved}.")
            return redirect("renewals:pack", pk=partnership.pk)
    context = _context(request, partnership, decision_form=form)
    return render(request, "renewals/pack.html", context, status=422)
