from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import access, header, pagecache, portfolio, timeline
from .exports import table_response
from .forms import (
    AgreementForm,
    AmendmentForm,
    ConflictResolveForm,
    ContactForm,
    InteractionForm,
    ObjectiveForm,
    PartnerForm,
    PartnershipFilterForm,
    PartnershipForm,
    StageMoveForm,
)
from .htmx import fragment, wants_fragment
from .ids import parse_id
from .models import (
    Contact,
    Interaction,
    Objective,
    Partner,
    Partnership,
    Stage,
)
from .objectives import show as show_objectives
from .panels import Slot, placed
from .roles import is_executive
from .services import agreement_amend
from .stages import (
    StageMoveRefused,
    check_moves,
    missing_for,
    move_partnership,
    what_ending_closes,
)

PAGE_SIZE = 25
# The portfolio is read a screenful at a time by an executive scanning for trouble.
PORTFOLIO_PAGE_SIZE = 50


def home(request):
    return redirect("partnerships:list")


# Partnerships -------------------------------------------------------------------------------


def _portfolio_queryset(request):
    today = timezone.localdate()
    visible = Partnership.objects.visible_to(request.user)
    form = PartnershipFilterForm(request.GET, visible=visible)
    rows = form.apply(portfolio.annotated(today).visible_to(request.user), today=today)
    return form, visible, rows


def _portfolio_context(request, *, tiles):
    form, visible, rows = _portfolio_queryset(request)
    page = Paginator(rows, PORTFOLIO_PAGE_SIZE).get_page(request.GET.get("page"))
    portfolio.decorate(page.object_list)
    today = timezone.localdate()
    context = {
        "form": form,
        "page": page,
        "columns": portfolio.columns(),
        "can_create": access.can_create_partnership(request.user),
        "filtered": form.is_filtered,
        "default_sort": portfolio.ATTENTION,
        "today": today,
        "value_total": portfolio.value_total(rows, today),
        **_order_context(request, form),
    }
    if tiles:
        groups = {}
        for build in portfolio.tile_builders():
            for tile in build(visible, today):
                groups.setdefault(tile.group, []).append(tile)
        # "Attention" (renewals, overdue work) closes the row, whichever builder opened it.
        context["tile_groups"] = sorted(groups.items(), key=lambda g: g[0] == "Attention")
    return context


def _order_context(request, form):
    """What the table is sorted by, in words, and the links to switch between the default
    order (needs attention first) and the alphabetical one."""
    sort = form.cleaned_data.get("sort", "") if form.is_valid() else ""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    default_url = f"?{query.urlencode()}"
    query["sort"] = "title"
    labels = {c.key: c.label for c in portfolio.columns()}
    return {
        "sort": sort,
        "sorted_by": labels.get(sort.lstrip("-"), ""),
        "sorted_descending": sort.startswith("-"),
        "attention_statement": portfolio.attention_statement(),
        "attention_url": default_url,
        "title_url": f"?{query.urlencode()}",
    }


def partnership_list(request):
    """The portfolio: every visible partnership, filtered, sorted and paginated in SQL.

    Its content (tiles, filters, table), or the table alone for HTMX, comes from ``pagecache``
    while the data has not changed; the page around it is rendered for each request.
    """
    part = "results" if wants_fragment(request) else "portfolio"
    html = pagecache.partial(
        request,
        f"partnerships/list.html#{part}",
        lambda: _portfolio_context(request, tiles=part == "portfolio"),
        key="portfolio",
    )
    if part == "results":
        return HttpResponse(html)
    return render(request, "partnerships/list.html", {"portfolio": html})


def partnership_export(request, fmt):
    _, _, rows = _portfolio_queryset(request)
    rows = portfolio.decorate(list(rows))
    return table_response(portfolio.export_rows(rows), fmt=fmt, filename="partnerships")


def _mutual_benefit(objectives):
    """Average progress of the objectives on each side: is value flowing both ways?"""
    labels = {"ours": "For us", "partner": "For the partner", "shared": "Shared"}
    sides = []
    for side, label in Objective.Side.choices:
        label = labels.get(side, label)
        mine = [o.shown_progress for o in objectives if o.side == side]
        mine = [progress for progress in mine if progress is not None]
        if mine:
            sides.append({"label": label, "count": len(mine), "progress": sum(mine) // len(mine)})
    return sides


def _detail_context(request, partnership, **extra):
    interactions = Paginator(
        partnership.interactions.select_related("recorded_by", "owner"), 10
    ).get_page(request.GET.get("ipage"))
    agreement = getattr(partnership, "agreement", None)
    objectives = show_objectives(partnership.objectives.select_related("goal"))
    slots = placed(partnership)  # each panel in the slot its app declared
    return {
        "partnership": partnership,
        "can_edit": access.can_edit_partnership(request.user, partnership),
        "can_force": access.can_force_move(request.user),
        "objectives": objectives,
        "mutual": _mutual_benefit(objectives),
        "agreement": agreement,
        "amendments": agreement.amendments.select_related("changed_by") if agreement else [],
        "interactions": interactions,
        "today": timezone.localdate(),
        "stage_moves": partnership.stage_moves.select_related("moved_by")[:20],
        "move_checks": check_moves(partnership),
        "move_form": extra.pop("move_form", None) or StageMoveForm(),
        "team": partnership.team.order_by("first_name", "last_name", "username"),
        "header_facts": header.facts(partnership),
        "side_panels": slots[Slot.SIDE_TOP],
        "more_side_panels": slots[Slot.SIDE],
        "early_panels": slots[Slot.MAIN],
        "late_panels": slots[Slot.AFTER_OBJECTIVES],
        "stages": Stage.choices,
        "stage_index": Stage.values.index(partnership.stage),
        **extra,
    }


def _get_partnership(request, pk, *, edit=False):
    queryset = Partnership.objects.select_related("partner", "owner", "agreement")
    return access.get_partnership_for_user(request.user, pk, edit=edit, queryset=queryset)


def partnership_detail(request, pk):
    """The partnership page: its content (or the interaction log alone, for HTMX) comes from
    ``pagecache`` while the data has not changed; the page around it is rendered each time."""
    partnership = _get_partnership(request, pk)
    part = "interactions" if wants_fragment(request) else "content"
    html = pagecache.partial(
        request,
        f"partnerships/detail.html#{part}",
        lambda: _detail_context(request, partnership),
        key=f"partnership:{partnership.pk}",
    )
    if part == "interactions":
        return HttpResponse(html)
    return render(
        request, "partnerships/detail.html", {"partnership": partnership, "content": html}
    )


def partnership_create(request):
    if not access.can_create_partnership(request.user):
        raise PermissionDenied("Only executives and partner managers can start a partnership.")
    initial = {"owner": request.user.pk}
    if parse_id(request.GET.get("partner")):
        initial["partner"] = parse_id(request.GET["partner"])
    form = PartnershipForm(
        request.POST or None, initial=initial, can_edit_team=is_executive(request.user)
    )
    if request.method == "POST" and form.is_valid():
        partnership = form.save()
        if not is_executive(request.user):
            # A manager who starts a partnership must be able to see and edit it.
            partnership.team.add(request.user)
        messages.success(request, f"Partnership “{partnership.title}” created.")
        return redirect(partnership)
    return render(request, "partnerships/form.html", {"form": form, "title": "New partnership"})


def partnership_edit(request, pk):
    partnership = _get_partnership(request, pk, edit=True)
    form = PartnershipForm(
        request.POST or None, instance=partnership, can_edit_team=is_executive(request.user)
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Partnership saved.")
        return redirect(partnership)
    return render(
        request,
        "partnerships/form.html",
        {"form": form, "title": f"Edit {partnership.title}", "partnership": partnership},
    )


@require_POST
def partnership_move(request, pk):
    partnership = _get_partnership(request, pk)
    if not access.can_move_stage(request.user, partnership):
        raise PermissionDenied("You cannot move this partnership's stage.")
    form = StageMoveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        refused = missing_for(partnership, data["to_stage"], reason=data["reason"])
        if form.needs_confirmation() and not (refused and not data["force"]):
            # Ending closes what is still open: say what, and ask once more.
            context = _detail_context(
                request,
                partnership,
                move_form=form,
                confirm_end=what_ending_closes(partnership),
                confirming=True,
            )
            return render(request, "partnerships/detail.html", context)
        try:
            move_partnership(
                partnership,
                data["to_stage"],
                by=request.user,
                reason=data["reason"],
                force=data["force"],
            )
        except StageMoveRefused as refused:
            for missing in refused.missing:
                form.add_error(None, missing)
        else:
            label = Stage(data["to_stage"]).label
            note = " (forced)" if data["force"] else ""
            messages.success(request, f"Moved to {label}{note}.")
            return redirect(partnership)
    context = _detail_context(request, partnership, move_form=form)
    return render(request, "partnerships/detail.html", context, status=422)


def partnership_timeline(request, pk):
    partnership = _get_partnership(request, pk)
    return pagecache.panel(
        request,
        "partnerships/timeline.html",
        lambda: {"partnership": partnership, "events": timeline.recent(partnership)},
        key=f"timeline:{partnership.pk}",
    )


# Objectives, agreement, interactions ------------------------------------------------------


def objective_form(request, pk, objective_pk=None):
    partnership = _get_partnership(request, pk, edit=True)
    objective = (
        get_object_or_404(Objective, pk=objective_pk, partnership=partnership)
        if objective_pk
        else Objective(partnership=partnership)
    )
    form = ObjectiveForm(request.POST or None, instance=objective)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Objective saved.")
        return redirect(f"{partnership.get_absolute_url()}#objectives")
    title = "Edit objective" if objective_pk else "New objective"
    return render(
        request,
        "partnerships/form.html",
        {"form": form, "title": title, "partnership": partnership},
    )


def agreement_form(request, pk):
    partnership = _get_partnership(request, pk, edit=True)
    agreement = getattr(partnership, "agreement", None)
    if agreement is None:
        form = AgreementForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            form.instance.partnership = partnership
            form.save()
            messages.success(request, "Agreement recorded.")
            return redirect(f"{partnership.get_absolute_url()}#agreement")
        title = "Record the agreement"
    else:
        form = AmendmentForm(request.POST or None, instance=agreement)
        if request.method == "POST" and form.is_valid():
            try:
                agreement_amend(
                    agreement=agreement,
                    changes=form.term_changes(),
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    effective_date=form.cleaned_data["effective_date"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Amendment recorded; the previous terms are kept.")
                return redirect(f"{partnership.get_absolute_url()}#agreement")
        title = "Amend the agreement"
    return render(
        request,
        "partnerships/form.html",
        {"form": form, "title": title, "partnership": partnership},
    )


def interaction_create(request, pk):
    partnership = _get_partnership(request, pk, edit=True)
    form = InteractionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        interaction = form.save(commit=False)
        interaction.partnership = partnership
        interaction.recorded_by = request.user
        interaction.save()
        messages.success(request, "Interaction logged.")
        return redirect(f"{partnership.get_absolute_url()}#interactions")
    return render(
        request,
        "partnerships/form.html",
        {"form": form, "title": "Log an interaction", "partnership": partnership},
    )


@require_POST
def conflict_resolve(request, pk, interaction_pk):
    partnership = _get_partnership(request, pk, edit=True)
    conflict = get_object_or_404(
        Interaction, pk=interaction_pk, partnership=partnership, kind=Interaction.Kind.CONFLICT
    )
    form = ConflictResolveForm(request.POST)
    if conflict.resolved_on:
        messages.info(request, f"“{conflict.subject}” was already resolved.")
    elif form.is_valid():
        conflict.resolution = form.cleaned_data["resolution"]
        conflict.resolved_on = timezone.localdate()
        conflict.save(update_fields=["resolution", "resolved_on"])
        messages.success(request, f"“{conflict.subject}” resolved.")
    else:
        messages.error(request, form.errors["resolution"][0])
    return redirect(f"{partnership.get_absolute_url()}#interaction-{conflict.pk}")


# Partners -----------------------------------------------------------------------------------


def partner_list(request):
    q = request.GET.get("q", "").strip()
    visible = Partnership.objects.visible_to(request.user).values("pk")
    queryset = access.partners_visible_to(request.user)
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(industry__icontains=q))
    queryset = queryset.annotate(
        partnership_count=Count("partnerships", filter=Q(partnerships__in=visible))
    ).order_by("name")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "can_create": access.can_manage_partners(request.user),
    }
    return render(request, fragment(request, "partnerships/partner_list.html", "results"), context)


def partner_detail(request, pk):
    partner = access.get_partner_for_user(request.user, pk)
    context = {
        "partner": partner,
        "contacts": partner.contacts.all(),
        "partnerships": Partnership.objects.visible_to(request.user)
        .filter(partner=partner)
        .select_related("owner"),
        "can_edit": access.can_manage_partners(request.user),
    }
    return render(request, "partnerships/partner_detail.html", context)


def partner_form(request, pk=None):
    if pk:
        partner = access.get_partner_for_user(request.user, pk, edit=True)
    elif access.can_manage_partners(request.user):
        partner = Partner()
    else:
        raise PermissionDenied("Only executives and partner managers can add partners.")
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        partner = form.save()
        messages.success(request, f"Partner “{partner.name}” saved.")
        return redirect(partner)
    title = f"Edit {partner.name}" if pk else "New partner"
    cancel = partner.get_absolute_url() if pk else reverse("partnerships:partner_list")
    context = {"form": form, "title": title, "cancel_url": cancel}
    return render(request, "partnerships/form.html", context)


def contact_form(request, pk, contact_pk=None):
    partner = access.get_partner_for_user(request.user, pk, edit=True)
    contact = (
        get_object_or_404(Contact, pk=contact_pk, partner=partner)
        if contact_pk
        else Contact(partner=partner)
    )
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Contact saved.")
        return redirect(partner)
    context = {
        "form": form,
        "title": f"Contact at {partner.name}",
        "cancel_url": partner.get_absolute_url(),
    }
    return render(request, "partnerships/form.html", context)
