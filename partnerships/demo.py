"""The demo company: partners, partnerships in every stage, goals, objectives, agreements,
amendments, a year of interactions and the three demo users. Idempotent: every row is found
by a natural key before it is created, and logs are only written for new partnerships.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .demo_data import (
    DEMO_PASSWORD,
    GOALS,
    INTERACTIONS,
    OBJECTIVES,
    PARTNERS,
    PARTNERSHIPS,
    STAGE_PATH,
    USERS,
)
from .models import (
    Agreement,
    Amendment,
    Contact,
    Interaction,
    Objective,
    Partner,
    Partnership,
    Stage,
    StageMove,
    StrategicGoal,
)


def _user(username):
    return get_user_model().objects.get(username=username) if username else None


def seed_users():
    users = {}
    for username, first, last, role, staff in USERS:
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@concord.example",
                "is_staff": staff,
                "is_superuser": staff,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        users[username] = user
    return users


@transaction.atomic
@transaction.atomic
def seed_base(today=None):
    today = today or timezone.localdate()
    rng = random.Random(42)
    users = seed_users()
    goals = [
        StrategicGoal.objects.get_or_create(title=title, defaults={"description": description})[0]
        for title, description in GOALS
    ]
    partners = _seed_partners()
    partnerships = {}
    for row in PARTNERSHIPS:
        partner_name, title, ptype, stage, owner, team, value_k, goal_ix, months = row
        start = today - timedelta(days=30 * months) if months else None
        partnership, created = Partnership.objects.get_or_create(
            partner=partners[partner_name],
            title=title,
            defaults={
                "type": ptype,
                "stage": stage,
                "owner": _user(owner),
                "start_date": start,
                "end_date": start + timedelta(days=365 * 3) if start else None,
                "estimated_annual_value": Decimal(value_k * 1000),
                "description": f"{title} with {partner_name}: what we build together, "
                "for whom, and how both sides benefit.",
            },
        )
        partnerships[title] = partnership
        if not created:
            continue
        partnership.team.set([users[u] for u in team])
        _seed_objectives(partnership, [goals[i] for i in goal_ix], rng, today)
        _seed_stage_history(partnership, users, start, today)
        if start:
            _seed_agreement(partnership, users, start, rng, value_k)
            _seed_interactions(partnership, users, start, rng, today)
    return {"users": users, "goals": goals, "partners": partners, "partnerships": partnerships}


def _seed_partners():
    partners = {}
    for name, kind, industry, country, size, contacts in PARTNERS:
        partner, created = Partner.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "industry": industry,
                "country": country,
                "size": size,
                "website": "https://www."
                + name.lower().replace(" ", "").replace(".", "")[:20]
                + ".example",
            },
        )
        if created:
            for index, (contact_name, job_title) in enumerate(contacts):
                Contact.objects.create(
                    partner=partner,
                    name=contact_name,
                    job_title=job_title,
                    email=contact_name.lower().replace(" ", ".").replace("dr.", "").strip(".")
                    + "@"
                    + partner.website.removeprefix("https://www."),
                    is_primary=index == 0,
                )
        partners[name] = partner
    return partners


def _seed_objectives(partnership, goals, rng, today):
    for side, titles in OBJECTIVES.items():
        title = titles[rng.randrange(len(titles))]
        active = partnership.stage not in (Stage.PROSPECT, Stage.DUE_DILIGENCE)
        Objective.objects.create(
            partnership=partnership,
            goal=goals[rng.randrange(len(goals))],
            title=title,
            side=side,
            target_date=today + timedelta(days=rng.randrange(60, 500)),
            status=rng.choice(["on_track", "on_track", "at_risk", "achieved"])
            if active
            else "not_started",
            progress=rng.randrange(20, 95) if active else 0,
        )


def _seed_stage_history(partnership, users, start, today):
    target = Stage(partnership.stage)
    path = STAGE_PATH[: STAGE_PATH.index(target) + 1] if target in STAGE_PATH else STAGE_PATH[:4]
    if target == Stage.ENDED:
        path = [*path, Stage.ENDED]
    when = timezone.now() - timedelta(days=30 * len(path))
    mover = users["coo"]
    for from_stage, to_stage in zip(path, path[1:], strict=False):
        when += timedelta(days=30)
        reason = "Contract terminated by mutual agreement." if to_stage == Stage.ENDED else ""
        StageMove.objects.create(
            partnership=partnership,
            from_stage=from_stage,
            to_stage=to_stage,
            moved_by=mover,
            moved_at=when,
            reason=reason or f"Gate met; moving to {to_stage.label.lower()}.",
        )
    Partnership.objects.filter(pk=partnership.pk).update(stage_changed_at=when)


def _seed_agreement(partnership, users, start, rng, value_k):
    if partnership.stage in (Stage.PROSPECT, Stage.DUE_DILIGENCE, Stage.NEGOTIATION):
        return
    end = start + timedelta(days=365 * 3)
    if partnership.stage == Stage.RENEWAL:
        end = timezone.localdate() + timedelta(days=75)
    agreement = Agreement.objects.create(
        partnership=partnership,
        reference=f"AGR-{partnership.pk:04d}",
        signed_on=start - timedelta(days=14),
        start_date=start,
        end_date=end,
        renewal_notice_days=90,
        auto_renew=rng.random() < 0.5,
        value=Decimal(value_k * 1000),
        exclusivity=rng.choice(["none", "none", "regional", "category"]),
        key_terms="Revenue share 70/30 on joint deals; quarterly business reviews; "
        "12-month non-solicit.",
    )
    if rng.random() < 0.7:
        before = agreement.terms()
        agreement.value = Decimal(int(value_k * 1.15) * 1000)
        agreement.renewal_notice_days = 120
        agreement.save()
        Amendment.objects.create(
            agreement=agreement,
            effective_date=start + timedelta(days=200),
            reason="Scope widened to a second product line; notice period lengthened.",
            previous_terms=before,
            new_terms=agreement.terms(),
            changed_by=users["coo"],
            created_at=timezone.now() - timedelta(days=rng.randrange(30, 200)),
        )


def _seed_interactions(partnership, users, start, rng, today):
    owner = partnership.owner or users["coo"]
    first = max(start, today - timedelta(days=365))
    day = first
    while day < today:
        kind, subject, summary, outcome = INTERACTIONS[rng.randrange(len(INTERACTIONS))]
        # Ending a partnership closes its conflicts (Contributions.on_end); so does the demo's.
        resolved = kind == "conflict" and (rng.random() < 0.6 or partnership.stage == Stage.ENDED)
        Interaction.objects.create(
            partnership=partnership,
            kind=kind,
            occurred_on=day,
            subject=subject,
            summary=summary,
            participants=f"{owner.get_full_name()}, {partnership.partner.name} team",
            outcome=outcome,
            resolution="Sponsors agreed a split by region." if resolved else "",
            resolved_on=day + timedelta(days=9) if resolved else None,
            recorded_by=owner,
            owner=owner if kind == Interaction.Kind.CONFLICT else None,
            due_on=day + timedelta(days=21) if kind == Interaction.Kind.CONFLICT else None,
        )
        day += timedelta(days=rng.randrange(18, 40))
