"""Demo governance data for ``seed_demo``: checklists in every state, roles and RACI, meetings
with decisions and actions, reviews, and risks in every corner of the heat map.

Consistent with the stage gates: partnerships from Negotiation on have their required DD items
passed or waived; from Active on they have an executive sponsor and an owner role. Idempotent:
each part is only written for a partnership that does not have it yet.
"""

import random
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from partnerships.models import Stage

from . import services
from .demo_data import (
    ACTIONS,
    AGENDAS,
    DECISIONS,
    RACI,
    RESPONSIBILITIES,
    REVIEWS,
    RIGHTS,
    RISKS,
    WAIVERS,
)
from .models import (
    ActionItem,
    ActionStatus,
    Checklist,
    ChecklistTemplate,
    Decision,
    Frequency,
    GovernanceRole,
    ItemStatus,
    Meeting,
    MeetingCadence,
    MeetingKind,
    PerformanceReview,
    RaciAssignment,
    Risk,
    RoleKind,
    default_level,
)

LATE_STAGES = (Stage.ACTIVE, Stage.UNDER_REVIEW, Stage.RENEWAL, Stage.ENDED)
RUNNING_STAGES = (Stage.ACTIVE, Stage.UNDER_REVIEW, Stage.RENEWAL)


def _aware(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def seed_governance(ctx, today=None):
    today = today or timezone.localdate()
    users = ctx["users"]
    for title, partnership in ctx["partnerships"].items():
        rng = random.Random(f"governance:{title}")
        with transaction.atomic():
            _seed_checklist(partnership, users, rng, today)
            roles = _seed_roles(partnership, users)
            _seed_cadences(partnership, today)
            _seed_meetings(partnership, users, roles, rng, today)
            _seed_reviews(partnership, users, today)
            _seed_risks(partnership, users, today)


# Due diligence -----------------------------------------------------------------------------


def _seed_checklist(partnership, users, rng, today):
    stage = Stage(partnership.stage)
    if stage == Stage.PROSPECT and partnership.owner is None:
        return  # a fresh prospect: due diligence not started yet
    if Checklist.objects.filter(partnership=partnership).exists():
        return
    template = ChecklistTemplate.objects.filter(is_default=True).first()
    if template is None:
        return
    start = partnership.start_date or today
    started = (start - timedelta(days=90)) if stage in LATE_STAGES else today - timedelta(days=30)
    if stage == Stage.PROSPECT:
        started = today - timedelta(days=3)
    owner = partnership.owner or users["coo"]
    checklist = services.checklist_start(
        partnership=partnership,
        by=owner,
        template=template,
        due_date=started + timedelta(days=45),
        now=_aware(started),
    )
    items = list(checklist.items.order_by("order", "pk"))
    if stage == Stage.PROSPECT:
        checklist.due_date = today + timedelta(days=60)
        checklist.save(update_fields=["due_date"])
        return  # started, nothing reviewed yet
    reviewed_at = _aware(started + timedelta(days=20))
    waived = set()
    if stage == Stage.NEGOTIATION or partnership.title == "Nordic fulfilment network":
        waived = {"References from two current customers or partners", "Credit check obtained"}
    _review_items(items, stage, waived, owner, rng, today, reviewed_at)
    _finish_checklist(checklist, items, stage, partnership, users, owner, today, reviewed_at)


def _review_items(items, stage, waived, owner, rng, today, reviewed_at):
    """Each item's status as the partnership's stage implies (half way through in due
    diligence, all cleared later on), saved in one query."""
    for index, item in enumerate(items):
        if stage == Stage.DUE_DILIGENCE:
            # Half way: the first sections done, some in progress, two overdue.
            if index < 8:
                item.status = ItemStatus.PASSED if index != 3 else ItemStatus.FAILED
                item.rating = rng.choice([3, 4, 4, 5]) if index != 3 else 2
            elif index < 12:
                item.status = ItemStatus.IN_PROGRESS
            if index in (9, 10):
                item.due_date = today - timedelta(days=6 + index)
        elif item.question in waived:
            item.status = ItemStatus.WAIVED
            item.waiver_reason = WAIVERS[item.question]
        elif not item.required and rng.random() < 0.15:
            item.status = ItemStatus.FAILED
            item.rating = 2
        else:
            item.status = ItemStatus.PASSED
            item.rating = rng.choice([3, 4, 4, 5, 5])
        if item.status in (ItemStatus.PASSED, ItemStatus.FAILED, ItemStatus.WAIVED):
            item.reviewer = owner
            item.reviewed_at = reviewed_at
            item.evidence_notes = item.evidence_notes or (
                "Reviewed the documents the partner supplied; notes filed with the evidence."
            )
        elif item.status == ItemStatus.IN_PROGRESS:
            item.evidence_notes = "Requested from the partner; first documents received."
    type(items[0]).objects.bulk_update(
        items,
        [
            "status",
            "rating",
            "waiver_reason",
            "reviewer",
            "reviewed_at",
            "evidence_notes",
            "due_date",
        ],
    )


def _finish_checklist(checklist, items, stage, partnership, users, owner, today, reviewed_at):
    """Evidence and a late due date in due diligence; the sign-off from Active on."""
    if stage == Stage.DUE_DILIGENCE:
        checklist.due_date = today - timedelta(days=5)  # running late: overdue items show
        checklist.save(update_fields=["due_date"])
        for item in items[:2]:
            services.evidence_add(
                item=item,
                file=ContentFile(
                    f"Evidence for: {item.question}\n"
                    f"Supplied by {partnership.partner.name}.\n".encode(),
                    name="evidence-summary.txt",
                ),
                by=owner,
                now=reviewed_at,
            )
    if stage in LATE_STAGES:
        services.checklist_sign_off(
            checklist=checklist,
            by=users["coo"],
            note="All required checks cleared; proceed to negotiation.",
            now=reviewed_at + timedelta(days=5),
        )


# Roles and RACI --------------------------------------------------------------------------


def _seed_roles(partnership, users):
    stage = Stage(partnership.stage)
    existing = list(partnership.governance_roles.select_related("user", "contact"))
    if existing or stage == Stage.PROSPECT:
        return {role.kind: role for role in existing}
    contacts = list(partnership.partner.contacts.all())
    owner = partnership.owner or users["coo"]
    value = partnership.estimated_annual_value or 0
    sponsor = users["ceo"] if value >= 1_000_000 else users["coo"]
    steering = users["coo"] if sponsor == users["ceo"] else users["ceo"]
    plan = [(RoleKind.OWNER, owner, None, 1)]
    if contacts:
        plan.append((RoleKind.PARTNER_PRINCIPAL, None, contacts[0], 4))
    if stage in LATE_STAGES:
        plan += [
            (RoleKind.STEERING_MEMBER, steering, None, 2),
            (RoleKind.EXECUTIVE_SPONSOR, sponsor, None, 3),
        ]
        if len(contacts) > 1:
            plan.append((RoleKind.PARTNER_OPERATIONAL, None, contacts[1], None))
    roles = {}
    for kind, user, contact, step in plan:
        roles[kind] = GovernanceRole.objects.create(
            partnership=partnership,
            kind=kind,
            level=default_level(kind),
            user=user,
            contact=contact,
            responsibilities=RESPONSIBILITIES[kind],
            decision_rights=RIGHTS[kind],
            escalation_step=step if stage in LATE_STAGES else None,
        )
    if stage in LATE_STAGES:
        RaciAssignment.objects.bulk_create(
            RaciAssignment(partnership=partnership, role=role, area=area, letter=letter)
            for kind, role in roles.items()
            for area, letter in RACI[kind].items()
        )
    return roles


# Meetings, decisions, actions, reviews -----------------------------------------------------


def _seed_cadences(partnership, today):
    stage = Stage(partnership.stage)
    if stage not in LATE_STAGES:
        return
    start = partnership.start_date or today
    for kind, frequency in (
        (MeetingKind.STEERING, Frequency.MONTHLY),
        (MeetingKind.QBR, Frequency.QUARTERLY),
    ):
        MeetingCadence.objects.get_or_create(
            partnership=partnership,
            kind=kind,
            defaults={
                "frequency": frequency,
                "start_date": start + timedelta(days=30),
                "is_active": stage != Stage.ENDED,
            },
        )


def _seed_meetings(partnership, users, roles, rng, today):
    stage = Stage(partnership.stage)
    if stage not in LATE_STAGES or partnership.meetings.exists():
        return
    owner = roles.get(RoleKind.OWNER)
    sponsor = roles.get(RoleKind.EXECUTIVE_SPONSOR)
    our_people = [r.user for r in roles.values() if r.user_id]
    their_people = [r.contact for r in roles.values() if r.contact_id]
    # Ended partnerships stopped meeting; one under review has let its steering lapse.
    latest = today - timedelta(days=400 if stage == Stage.ENDED else 12 + rng.randrange(10))
    if stage == Stage.UNDER_REVIEW:
        latest = today - timedelta(days=65)
    plan = [(MeetingKind.STEERING, latest - timedelta(days=30 * k)) for k in range(4)]
    plan += [(MeetingKind.QBR, latest - timedelta(days=5 + 91 * k)) for k in range(2)]
    if stage == Stage.ACTIVE and rng.random() < 0.6:
        plan.append((MeetingKind.STEERING, today + timedelta(days=9)))  # already planned
    for index, (kind, day) in enumerate(sorted(plan, key=lambda p: p[1])):
        held = day <= today
        meeting = Meeting.objects.create(
            partnership=partnership,
            kind=kind,
            title=f"{MeetingKind(kind).label} — {day:%B %Y}",
            held_on=day,
            agenda=AGENDAS[index % 2],
            minutes="Reviewed KPIs against target; agreed the actions below. "
            "Both sides confirmed the plan for the coming month."
            if held
            else "",
            recorded_by=owner.user if owner else users["coo"],
        )
        meeting.attendees.set(our_people)
        meeting.partner_attendees.set(their_people)
        if not held:
            continue
        kind_, area, text = DECISIONS[index % len(DECISIONS)]
        role = roles.get(kind_)
        if role:
            Decision.objects.create(
                meeting=meeting,
                summary=text.format(q=(day.month - 1) // 3 + 1),
                decided_by=role,
                area=area,
            )
        for n in range(1 + index % 2):
            age = (today - day).days
            due = day + timedelta(days=21 + 7 * n)
            # Older actions are mostly done; the odd one left open is now overdue.
            done = stage == Stage.ENDED or (age > 40 and rng.random() < 0.85)
            contact_owner = n == 1 and their_people
            ActionItem.objects.create(
                partnership=partnership,
                meeting=meeting,
                title=ACTIONS[(index + n) % len(ACTIONS)],
                owner=None if contact_owner else (owner.user if owner else sponsor.user),
                owner_contact=their_people[0] if contact_owner else None,
                due_date=due,
                status=ActionStatus.DONE if done else ActionStatus.OPEN,
                completed_at=_aware(due - timedelta(days=2)) if done else None,
            )


def _seed_reviews(partnership, users, today):
    stage = Stage(partnership.stage)
    if stage not in REVIEWS or partnership.performance_reviews.exists():
        return
    recommendation, rating = REVIEWS[stage]
    last_end = today - timedelta(days=20) if stage != Stage.ENDED else today - timedelta(days=420)
    for k in range(2):
        end = last_end - timedelta(days=91 * k)
        PerformanceReview.objects.create(
            partnership=partnership,
            period_start=end - timedelta(days=90),
            period_end=end,
            rating=rating if k == 0 else min(5, rating + 1),
            went_well="Joint pipeline grew; steering meetings kept to cadence; quick decisions.",
            went_badly="Reporting arrived late twice; one integration milestone slipped.",
            recommendation=recommendation if k == 0 else "continue",
            notes="Agreed with the partner principal at the quarterly business review.",
            reviewed_by=partnership.owner or users["coo"],
            reviewed_on=end + timedelta(days=7),
        )


# Risks -----------------------------------------------------------------------------------


def _seed_risks(partnership, users, today):
    rows = [r for r in RISKS if r[0] == partnership.title]
    owner = partnership.owner or users["coo"]
    for _, title, category, likelihood, impact, status, review_in, earlier in rows:
        if Risk.objects.filter(partnership=partnership, title=title).exists():
            continue
        created = _aware(today - timedelta(days=120))
        first = earlier or (likelihood, impact)
        risk = Risk(
            partnership=partnership,
            title=title,
            category=category,
            description=f"{title}: what could happen, and how we would notice.",
            likelihood=first[0],
            impact=first[1],
            owner=owner,
            mitigation="Agreed monitoring with the partner; monthly check at the steering meeting.",
            contingency="Sponsor-level call within 48 hours; fallback supplier or plan ready.",
            review_date=today + timedelta(days=review_in),
            status=status,
            created_at=created,
        )
        services.risk_save(risk=risk, by=owner, now=created)
        if earlier:
            risk.likelihood, risk.impact = likelihood, impact
            services.risk_save(
                risk=risk,
                by=owner,
                note="Re-assessed at the steering meeting.",
                now=created + timedelta(days=60),
            )
