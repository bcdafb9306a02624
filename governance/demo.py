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
from .models import (
    ActionItem,
    ActionStatus,
    Checklist,
    ChecklistTemplate,
    Decision,
    DecisionArea,
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

WAIVERS = {
    "References from two current customers or partners": (
        "A new market entrant with no comparable customers yet; replaced by a paid pilot."
    ),
    "Credit check obtained": (
        "Publicly listed; audited accounts and the annual report give a fuller picture."
    ),
}


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

RACI = {
    RoleKind.EXECUTIVE_SPONSOR: {
        "budget": "A",
        "scope": "I",
        "terms": "A",
        "escalations": "C",
        "renewal_exit": "A",
    },
    RoleKind.OWNER: {
        "budget": "R",
        "scope": "A",
        "terms": "R",
        "escalations": "A",
        "renewal_exit": "R",
    },
    RoleKind.STEERING_MEMBER: {
        "budget": "C",
        "scope": "C",
        "terms": "C",
        "escalations": "R",
        "renewal_exit": "C",
    },
    RoleKind.PARTNER_PRINCIPAL: {
        "budget": "I",
        "scope": "C",
        "terms": "C",
        "escalations": "R",
        "renewal_exit": "C",
    },
    RoleKind.PARTNER_OPERATIONAL: {"scope": "I", "escalations": "I"},
}

RESPONSIBILITIES = {
    RoleKind.EXECUTIVE_SPONSOR: "Champions the partnership at board level; unblocks budget and "
    "signs off term changes; decides on renewal or exit.",
    RoleKind.OWNER: "Runs the partnership day to day: plan, KPIs, meetings and actions; first "
    "point of escalation.",
    RoleKind.STEERING_MEMBER: "Sits on the steering committee; challenges the plan and "
    "arbitrates escalations.",
    RoleKind.PARTNER_PRINCIPAL: "The partner's accountable executive; agrees scope and terms "
    "on their side.",
    RoleKind.PARTNER_OPERATIONAL: "Day-to-day counterpart for delivery and reporting.",
}

RIGHTS = {
    RoleKind.EXECUTIVE_SPONSOR: ["budget", "terms", "renewal_exit"],
    RoleKind.OWNER: ["scope", "escalations"],
    RoleKind.STEERING_MEMBER: ["escalations"],
    RoleKind.PARTNER_PRINCIPAL: ["scope", "terms"],
    RoleKind.PARTNER_OPERATIONAL: [],
}


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


AGENDAS = [
    "1. KPI review\n2. Pipeline and delivery\n3. Risks and escalations\n4. Actions",
    "1. Actions from last time\n2. Roadmap alignment\n3. Budget check\n4. AOB",
]
DECISIONS = [
    (RoleKind.EXECUTIVE_SPONSOR, DecisionArea.BUDGET, "Release the Q{q} joint marketing budget."),
    (RoleKind.OWNER, DecisionArea.SCOPE, "Add the reporting module to the joint scope."),
    (RoleKind.OWNER, DecisionArea.ESCALATIONS, "Escalate the delivery slippage to sponsors."),
    (RoleKind.EXECUTIVE_SPONSOR, DecisionArea.TERMS, "Extend the payment terms to 45 days."),
]
ACTIONS = [
    "Send the updated joint pipeline",
    "Draft the next quarter's plan",
    "Confirm the integration test window",
    "Share customer feedback survey results",
    "Prepare the renewal options paper",
    "Fix the data feed gaps in the weekly report",
]


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


REVIEWS = {
    Stage.ACTIVE: ("continue", 4),
    Stage.UNDER_REVIEW: ("renegotiate", 2),
    Stage.RENEWAL: ("expand", 4),
    Stage.ENDED: ("exit", 2),
}


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

# partnership title, risk title, category, likelihood, impact, status, review in days,
# earlier (likelihood, impact) if the score changed
RISKS = [
    (
        "Cloud co-sell alliance",
        "Renewal price rise above 30%",
        "financial",
        5,
        5,
        "open",
        10,
        (3, 4),
    ),
    (
        "Cloud co-sell alliance",
        "Partner launches a competing analytics service",
        "strategic",
        3,
        4,
        "mitigating",
        30,
        None,
    ),
    (
        "Recyclable packaging switch",
        "Minor colour mismatch on first batches",
        "operational",
        1,
        1,
        "accepted",
        60,
        None,
    ),
    (
        "Recyclable packaging switch",
        "Certification of recycled content delayed",
        "legal",
        3,
        3,
        "open",
        -4,
        None,
    ),
    (
        "Hospital analytics bundle",
        "Patient data exposed through the integration",
        "security",
        1,
        5,
        "mitigating",
        20,
        (2, 5),
    ),
    (
        "Hospital analytics bundle",
        "Procurement freeze in public hospitals",
        "financial",
        4,
        4,
        "open",
        -10,
        None,
    ),
    (
        "Nordic fulfilment network",
        "Weekly delivery reports arrive late",
        "operational",
        5,
        1,
        "open",
        14,
        None,
    ),
    (
        "Nordic fulfilment network",
        "Fuel surcharge erodes margin",
        "financial",
        3,
        2,
        "accepted",
        45,
        None,
    ),
    (
        "Nordic fulfilment network",
        "Warehouse strike in Oslo",
        "operational",
        2,
        4,
        "closed",
        -30,
        (3, 4),
    ),
    (
        "Quantum optimisation pilot",
        "Start-up runs out of cash before the pilot ends",
        "financial",
        4,
        5,
        "open",
        7,
        None,
    ),
    (
        "Quantum optimisation pilot",
        "Founder-dependent know-how",
        "operational",
        4,
        3,
        "open",
        -3,
        None,
    ),
    (
        "Joint AI insights offering",
        "Model bias complaint from a joint customer",
        "reputational",
        2,
        5,
        "mitigating",
        21,
        (3, 5),
    ),
    (
        "Joint AI insights offering",
        "Key data scientist leaves the partner",
        "operational",
        3,
        3,
        "open",
        30,
        None,
    ),
    (
        "Joint AI insights offering",
        "Joint pipeline below plan",
        "strategic",
        4,
        2,
        "open",
        -15,
        None,
    ),
    (
        "Swedish channel programme",
        "Reseller misrepresents our product",
        "reputational",
        3,
        4,
        "open",
        -20,
        (2, 4),
    ),
    (
        "Swedish channel programme",
        "Channel conflict with direct sales",
        "strategic",
        5,
        3,
        "open",
        5,
        None,
    ),
    (
        "Second-source precision parts",
        "Tolerance drift on the new line",
        "operational",
        2,
        3,
        "mitigating",
        25,
        None,
    ),
    (
        "Second-source precision parts",
        "Export licence rules change",
        "legal",
        1,
        4,
        "open",
        90,
        None,
    ),
    (
        "Protein modelling research",
        "IP ownership dispute on joint results",
        "legal",
        2,
        4,
        "open",
        40,
        None,
    ),
    ("Protein modelling research", "Lab security incident", "security", 1, 2, "open", 60, None),
    ("Transformation advisory", "Knowledge lost at exit", "strategic", 4, 2, "closed", -200, None),
    ("Edge AI doctoral programme", "Funding call not awarded", "financial", 3, 2, "open", 30, None),
]


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
