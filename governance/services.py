"""Writes that carry a business rule (keyword-only functions named ``<entity>_<action>``).

Views call these; the rules hold whoever calls them (views, the admin's callers, the seeder).
"""

import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partnerships.roles import is_executive

from .models import (
    CLEARED,
    CONCLUDED,
    OPEN_ACTION,
    ActionStatus,
    Checklist,
    ChecklistItem,
    ChecklistTemplate,
    DecisionArea,
    Evidence,
    ItemStatus,
    RaciAssignment,
    RaciLetter,
    Risk,
    RiskScoreChange,
)
from .uploads import validate_evidence_file

# Due diligence -----------------------------------------------------------------------------


def _ensure_open(checklist):
    if checklist.is_signed_off:
        signed = timezone.localtime(checklist.signed_off_at)
        raise ValidationError(
            f"Due diligence was signed off on {signed:%d %b %Y} and can no longer be changed."
        )


def checklist_start(*, partnership, by, template=None, due_date=None, now=None):
    """Copy a template into the partnership's own checklist.

    The copy is independent: editing the template later does not touch it.
    """
    template = template or ChecklistTemplate.objects.filter(is_active=True).first()
    if template is None:
        raise ValidationError("There is no due-diligence template yet; an admin must add one.")
    with transaction.atomic():
        if Checklist.objects.filter(partnership=partnership).exists():
            raise ValidationError("Due diligence has already started for this partnership.")
        checklist = Checklist.objects.create(
            partnership=partnership,
            template=template,
            template_name=template.name,
            due_date=due_date,
            started_by=by,
            started_at=now or timezone.now(),
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                checklist=checklist,
                section=item.section,
                question=item.question,
                guidance=item.guidance,
                required=item.required,
                weight=item.weight,
                order=item.order,
            )
            for item in template.items.all()
        )
    return checklist


def _locked_open_checklist(checklist_id):
    """The checklist, locked and re-read, so a stale copy cannot slip past a sign-off."""
    checklist = Checklist.objects.select_for_update().get(pk=checklist_id)
    _ensure_open(checklist)
    return checklist


def checklist_update(*, checklist, due_date):
    with transaction.atomic():
        locked = _locked_open_checklist(checklist.pk)
        locked.due_date = due_date
        locked.save(update_fields=["due_date"])
    checklist.due_date = due_date
    return locked


def checklist_item_update(
    *,
    item,
    by,
    status,
    rating=None,
    evidence_notes="",
    waiver_reason="",
    due_date=None,
    now=None,
):
    """Record the review of one item. A waiver needs a written reason.

    Concluding an item (passed, failed, waived) records who reviewed it and when.
    """
    waiver_reason = (waiver_reason or "").strip()
    status = ItemStatus(status)
    if status == ItemStatus.WAIVED and not waiver_reason:
        raise ValidationError({"waiver_reason": "Say why this item is waived."})
    with transaction.atomic():
        locked = (
            ChecklistItem.objects.select_related("checklist").select_for_update().get(pk=item.pk)
        )
        _ensure_open(locked.checklist)
        concluded_now = status in CONCLUDED and (
            locked.status != status or locked.reviewer_id is None
        )
        locked.status = status
        locked.rating = rating
        locked.evidence_notes = evidence_notes or ""
        locked.waiver_reason = waiver_reason if status == ItemStatus.WAIVED else ""
        locked.due_date = due_date
        if concluded_now:
            locked.reviewer = by
            locked.reviewed_at = now or timezone.now()
        elif status not in CONCLUDED:
            locked.reviewer = None
            locked.reviewed_at = None
        locked.save()
    return locked


def evidence_add(*, item, file, by, now=None):
    validate_evidence_file(file)
    with transaction.atomic():
        _locked_open_checklist(item.checklist_id)
        return Evidence.objects.create(
            item=item,
            file=file,
            original_name=os.path.basename(file.name)[:255],
            size=file.size,
            uploaded_by=by,
            uploaded_at=now or timezone.now(),
        )


def evidence_remove(*, evidence):
    with transaction.atomic():
        _locked_open_checklist(evidence.item.checklist_id)
        evidence.delete()
    # The file goes only once the row is gone for good.
    transaction.on_commit(lambda: evidence.file.delete(save=False))


def checklist_blockers(items):
    """What stops the checklist being signed off, in words a user can act on."""
    missing = []
    for item in items:
        if item.required and item.status not in CLEARED:
            missing.append(f"Pass or waive the required due-diligence item ‘{item.question}’.")
        elif item.status not in CONCLUDED:
            missing.append(f"Conclude the item ‘{item.question}’ (pass, fail or waive it).")
    return missing


def checklist_sign_off(*, checklist, by, note="", now=None):
    """The final executive sign-off; afterwards the checklist is read-only."""
    if not is_executive(by):
        raise PermissionDenied("Only an executive can sign off due diligence.")
    with transaction.atomic():
        locked = Checklist.objects.select_for_update().get(pk=checklist.pk)
        _ensure_open(locked)
        missing = checklist_blockers(locked.items.all())
        if missing:
            raise ValidationError(missing)
        locked.signed_off_by = by
        locked.signed_off_at = now or timezone.now()
        locked.sign_off_note = (note or "").strip()
        locked.save(update_fields=["signed_off_by", "signed_off_at", "sign_off_note"])
    return locked


# RACI ------------------------------------------------------------------------------------


def raci_conflicts(partnership, cells, roles):
    """Messages for decision areas given more than one Accountable role."""
    names = {role.pk: f"{role.person_name} ({role.get_kind_display()})" for role in roles}
    messages = []
    for area, label in DecisionArea.choices:
        accountable = [pk for (pk, a), letter in cells.items() if a == area and letter == "A"]
        if len(accountable) > 1:
            who = " and ".join(names[pk] for pk in accountable)
            messages.append(
                f"Only one role can be Accountable for {label.lower()}: {who} are both marked A."
            )
    return messages


def raci_set(*, partnership, cells):
    """Replace the partnership's RACI with ``cells``: {(role_id, area): letter or ""}.

    At most one Accountable per area; the database holds the same rule, so a concurrent edit
    that slips past the check still fails cleanly.
    """
    roles = list(partnership.governance_roles.select_related("user", "contact"))
    role_ids = {role.pk for role in roles}
    unknown = {pk for pk, _ in cells} - role_ids
    if unknown:
        raise ValidationError("A role in the matrix does not belong to this partnership.")
    valid_letters = set(RaciLetter.values) | {""}
    if any(letter not in valid_letters for letter in cells.values()):
        raise ValidationError("Use R, A, C or I.")
    conflicts = raci_conflicts(partnership, cells, roles)
    if conflicts:
        raise ValidationError(conflicts)
    try:
        with transaction.atomic():
            RaciAssignment.objects.filter(partnership=partnership).delete()
            RaciAssignment.objects.bulk_create(
                RaciAssignment(partnership=partnership, role_id=pk, area=area, letter=letter)
                for (pk, area), letter in sorted(cells.items())
                if letter
            )
    except IntegrityError:
        raise ValidationError(
            "Only one role can be Accountable for each decision area; someone else just "
            "changed the matrix. Reload and try again."
        ) from None


# Meetings, decisions, actions --------------------------------------------------------------


def decision_check(*, role, area):
    """A decision must be taken under a right the role holds (or as the area's Accountable)."""
    if role.has_decision_right(area):
        return
    if RaciAssignment.objects.filter(role=role, area=area, letter="A").exists():
        return
    label = DecisionArea(area).label.lower()
    raise ValidationError(
        {
            "decided_by": f"{role.person_name} ({role.get_kind_display()}) holds no decision "
            f"right over {label}. Pick a role that does, or give this role the right first."
        }
    )


def action_item_complete(*, action, now=None):
    if action.status not in OPEN_ACTION:
        return action
    action.status = ActionStatus.DONE
    action.completed_at = now or timezone.now()
    action.save(update_fields=["status", "completed_at"])
    return action


def action_item_reopen(*, action):
    """Undo "Done": open again, without the completion date."""
    if action.status != ActionStatus.DONE:
        return action
    action.status = ActionStatus.OPEN
    action.completed_at = None
    action.save(update_fields=["status", "completed_at"])
    return action


def action_item_save(*, action, now=None):
    """Keep completed_at in step with the status whatever form saved it."""
    if action.status == ActionStatus.DONE and action.completed_at is None:
        action.completed_at = now or timezone.now()
    elif action.status != ActionStatus.DONE:
        action.completed_at = None
    action.save()
    return action


# Risks -----------------------------------------------------------------------------------


def risk_save(*, risk, by, note="", now=None):
    """Create or update a risk; every change of likelihood or impact is kept in its history."""
    now = now or timezone.now()
    with transaction.atomic():
        before = None
        if risk.pk:
            before = (
                Risk.objects.select_for_update()
                .filter(pk=risk.pk)
                .values("likelihood", "impact")
                .first()
            )
        risk.save()
        changed = before is None or (before["likelihood"], before["impact"]) != (
            risk.likelihood,
            risk.impact,
        )
        if changed:
            RiskScoreChange.objects.create(
                risk=risk,
                likelihood_before=before["likelihood"] if before else None,
                impact_before=before["impact"] if before else None,
                likelihood=risk.likelihood,
                impact=risk.impact,
                note=(note or ("Risk recorded." if before is None else ""))[:300],
                changed_by=by,
                changed_at=now,
            )
    return risk
