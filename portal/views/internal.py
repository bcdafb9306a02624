"""Our side of the portal, on the partnership page: invitations and partner users, the
objectives not yet agreed, and partner values waiting for our acceptance."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from kpis.models import Kpi
from partnerships import access as partnership_access
from partnerships import pagecache
from partnerships.ids import parse_id
from partnerships.models import Contact, Objective, Partnership

from .. import access, agreements, invites, submissions
from ..models import Invitation, PartnerUser, Submission


def _partnership(request, pk, *, manage=False):
    partnership = partnership_access.get_partnership_for_user(
        request.user, pk, queryset=Partnership.objects.select_related("partner", "owner")
    )
    if manage and not access.can_invite(request.user, partnership):
        raise PermissionDenied("Only an executive or the partnership's owner manages its portal.")
    return partnership


def _back(partnership):
    return redirect(f"{partnership.get_absolute_url()}#panel-portal")


def panel(request, pk):
    partnership = _partnership(request, pk)
    can_manage = access.can_invite(request.user, partnership)
    can_edit = partnership_access.can_edit_partnership(request.user, partnership)

    def context():
        states = agreements.states(
            Objective.objects.filter(partnership=partnership).select_related("goal")
        )
        profiles = list(
            PartnerUser.objects.filter(partner=partnership.partner, access__partnership=partnership)
            .select_related("contact")
            .order_by("contact__name")
        )
        invitations = [
            i
            for i in Invitation.objects.filter(partnership=partnership).select_related("contact")[
                :20
            ]
            if i.is_pending
        ]
        in_portal = {p.contact_id for p in profiles} | {i.contact_id for i in invitations}
        return {
            "partnership": partnership,
            "can_manage": can_manage,
            "can_edit": can_edit,
            "states": states,
            "unagreed": [s for s in states if not s.agreed],
            "profiles": profiles,
            "invitations": invitations,
            "contacts": [
                c
                for c in Contact.objects.filter(partner=partnership.partner).order_by("name")
                if c.pk not in in_portal
            ],
            "pending": list(
                Submission.objects.filter(
                    kpi__partnership=partnership, state=Submission.State.PENDING
                ).select_related("kpi", "submitted_by")
            ),
            "recent": list(
                Submission.objects.filter(kpi__partnership=partnership)
                .exclude(state=Submission.State.PENDING)
                .select_related("kpi", "submitted_by")[:5]
            ),
        }

    return pagecache.panel(
        request, "portal/internal_panel.html", context, key=f"portal:{partnership.pk}"
    )


@require_POST
def invite(request, pk):
    partnership = _partnership(request, pk, manage=True)
    contact = Contact.objects.filter(
        pk=parse_id(request.POST.get("contact")), partner=partnership.partner
    ).first()
    if contact is None:
        raise Http404("No such contact.")
    try:
        invitation = invites.invite(contact=contact, partnership=partnership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if invitation:
            messages.success(request, f"Invitation emailed to {contact.name} ({contact.email}).")
        else:
            messages.success(request, f"{contact.name} can now see this partnership.")
    return _back(partnership)


@require_POST
def revoke(request, pk, invitation_pk):
    partnership = _partnership(request, pk, manage=True)
    invitation = get_object_or_404(Invitation, pk=invitation_pk, partnership=partnership)
    invites.revoke(invitation=invitation, by=request.user)
    messages.success(request, f"Invitation of {invitation.contact.name} withdrawn.")
    return _back(partnership)


@require_POST
def deactivate(request, pk, profile_pk):
    partnership = _partnership(request, pk, manage=True)
    profile = get_object_or_404(
        PartnerUser, pk=profile_pk, partner=partnership.partner, access__partnership=partnership
    )
    invites.deactivate(profile=profile, by=request.user)
    messages.success(request, f"{profile.contact.name} can no longer sign in to the portal.")
    return _back(partnership)


@require_POST
def agree(request, pk, objective_pk):
    partnership = _partnership(request, pk)
    if not partnership_access.can_edit_partnership(request.user, partnership):
        raise PermissionDenied("You can see this partnership but not change it.")
    objective = get_object_or_404(Objective, pk=objective_pk, partnership=partnership)
    agreements.agree(objective=objective, side="ours", by=request.user)
    messages.success(request, f"Our side agreed “{objective.title}”.")
    return _back(partnership)


def _submission(request, pk, submission_pk):
    partnership = _partnership(request, pk)
    if not partnership_access.can_edit_partnership(request.user, partnership):
        raise PermissionDenied("You can see this partnership but not change it.")
    submission = get_object_or_404(
        Submission.objects.select_related("kpi", "submitted_by"),
        pk=submission_pk,
        kpi__partnership=partnership,
    )
    return partnership, submission


@require_POST
def accept(request, pk, submission_pk):
    partnership, submission = _submission(request, pk, submission_pk)
    try:
        done = submissions.accept(submission=submission, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if done:
            messages.success(request, f"{submission.kpi.name}: the partner's value now counts.")
    return _back(partnership)


@require_POST
def reject(request, pk, submission_pk):
    partnership, submission = _submission(request, pk, submission_pk)
    try:
        submissions.reject(
            submission=submission, by=request.user, reason=request.POST.get("reason")
        )
    except ValidationError:
        messages.error(request, "Give the partner a reason for the rejection.")
    else:
        messages.success(request, f"{submission.kpi.name}: value sent back to the partner.")
    return _back(partnership)


SHARING = {"": None, "yes": True, "no": False}


def kpi_settings(request, pk):
    """Which KPIs the partner sees, which side enters each, and whose values need accepting."""
    partnership = _partnership(request, pk)
    can_edit = partnership_access.can_edit_partnership(request.user, partnership)
    kpis = list(
        Kpi.objects.filter(partnership=partnership, is_active=True)
        .select_related("objective")
        .order_by("objective__title", "name")
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("You can see this partnership but not change it.")
        changed = 0
        for kpi in kpis:
            shared = SHARING.get(request.POST.get(f"shared-{kpi.pk}", ""))
            entered_by = "partner" if request.POST.get(f"entered-{kpi.pk}") == "partner" else "ours"
            accept = request.POST.get(f"accept-{kpi.pk}") == "on"
            new = (shared, entered_by, accept)
            if new != (kpi.shared_with_partner, kpi.entered_by, kpi.partner_values_need_acceptance):
                Kpi.objects.filter(pk=kpi.pk).update(
                    shared_with_partner=shared,
                    entered_by=entered_by,
                    partner_values_need_acceptance=accept,
                )
                changed += 1
        messages.success(request, f"{changed} KPI{'s' if changed != 1 else ''} updated.")
        return redirect("partner_access:kpis", pk=partnership.pk)
    shared_ids = set(access.shared_kpis(partnership).values_list("pk", flat=True))
    context = {
        "partnership": partnership,
        "rows": [{"kpi": k, "shared": k.pk in shared_ids} for k in kpis],
        "can_edit": can_edit,
    }
    return render(request, "portal/kpi_settings.html", context)


urlpatterns = [
    path("partnership/<int:pk>/kpis/", kpi_settings, name="kpis"),
    path("partnership/<int:pk>/", panel, name="panel"),
    path("partnership/<int:pk>/invite/", invite, name="invite"),
    path("partnership/<int:pk>/invitations/<int:invitation_pk>/revoke/", revoke, name="revoke"),
    path("partnership/<int:pk>/users/<int:profile_pk>/deactivate/", deactivate, name="deactivate"),
    path("partnership/<int:pk>/objectives/<int:objective_pk>/agree/", agree, name="agree"),
    path("partnership/<int:pk>/values/<int:submission_pk>/accept/", accept, name="accept"),
    path("partnership/<int:pk>/values/<int:submission_pk>/reject/", reject, name="reject"),
]
