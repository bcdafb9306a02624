"""Stage-gate conditions this app contributes (declared in contributions.py)."""

from .models import CLEARED, Checklist, GovernanceRole, ItemStatus, RoleKind


def due_diligence_cleared(partnership):
    """Into Negotiation: every required DD item passed, or waived with a written reason."""
    checklist = Checklist.objects.filter(partnership=partnership).first()
    if checklist is None:
        return ["Start due diligence and pass or waive its required items."]
    missing = []
    for item in checklist.items.filter(required=True).order_by("order", "pk"):
        if item.status == ItemStatus.WAIVED and not item.waiver_reason.strip():
            missing.append(f"Give a reason for waiving the due-diligence item ‘{item.question}’.")
        elif item.status not in CLEARED:
            missing.append(f"Pass or waive the required due-diligence item ‘{item.question}’.")
    return missing


def sponsor_and_owner_assigned(partnership):
    """Into Active: an executive sponsor and a partnership owner governance role."""
    kinds = set(
        GovernanceRole.objects.filter(
            partnership=partnership, kind__in=[RoleKind.EXECUTIVE_SPONSOR, RoleKind.OWNER]
        ).values_list("kind", flat=True)
    )
    missing = []
    if RoleKind.EXECUTIVE_SPONSOR not in kinds:
        missing.append("Assign an executive sponsor.")
    if RoleKind.OWNER not in kinds:
        missing.append("Assign a partnership owner role.")
    return missing
