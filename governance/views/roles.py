"""Governance roles, the RACI grid and escalation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from partnerships.access import can_edit_partnership

from .. import selectors, services
from ..forms import (
    GovernanceRoleForm,
    RaciForm,
)
from ..models import (
    DecisionArea,
    GovernanceRole,
    MeetingCadence,
    RaciLetter,
    RoleKind,
)
from .common import _cached_panel, _form_page, _is_fragment, _partnership

KIND_ORDER = {kind: index for index, kind in enumerate(RoleKind.values)}


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
