"""The benchmark portfolio's governance rows: checklists, risks, meetings and their actions."""

from datetime import timedelta


def field_choices(model, name):
    return [value for value, _ in model._meta.get_field(name).choices]


def governance_rows(rng, partnerships, managers, today, now):
    from governance import models as gov

    _checklists(gov, rng, partnerships, today, now)
    _risks(gov, rng, partnerships, today)
    _meetings(gov, rng, partnerships, managers, today)


def _checklists(gov, rng, partnerships, today, now):
    statuses = field_choices(gov.ChecklistItem, "status")
    sections = field_choices(gov.ChecklistItem, "section")
    checklists = gov.Checklist.objects.bulk_create(
        [
            gov.Checklist(
                partnership=p,
                template_name="Standard due diligence",
                due_date=today + timedelta(days=rng.randint(-20, 60)),
                started_by=p.owner,
                started_at=now - timedelta(days=rng.randint(10, 200)),
            )
            for p in partnerships
            if p.stage != "prospect"
        ]
    )
    items = []
    for c in checklists:
        for j in range(8):
            status = rng.choice(statuses)
            items.append(
                gov.ChecklistItem(
                    checklist=c,
                    section=sections[j % len(sections)],
                    question=f"Check {j + 1}: is the evidence complete?",
                    required=j < 5,
                    order=j,
                    status=status,
                    waiver_reason="Not relevant to this partner." if status == "waived" else "",
                    due_date=today + timedelta(days=rng.randint(-30, 60)) if j % 3 == 0 else None,
                )
            )
    gov.ChecklistItem.objects.bulk_create(items)


def _risks(gov, rng, partnerships, today):
    categories = field_choices(gov.Risk, "category")
    risk_statuses = field_choices(gov.Risk, "status")
    gov.Risk.objects.bulk_create(
        [
            gov.Risk(
                partnership=p,
                title=f"Risk {j + 1} of {p.pk}",
                category=rng.choice(categories),
                likelihood=rng.randint(1, 5),
                impact=rng.randint(1, 5),
                owner=p.owner,
                mitigation="Monitor monthly.",
                review_date=today + timedelta(days=rng.randint(-40, 90)),
                status=rng.choice(risk_statuses),
            )
            for p in partnerships
            for j in range(3)
        ]
    )


def _meetings(gov, rng, partnerships, managers, today):
    kinds = field_choices(gov.MeetingCadence, "kind")
    frequencies = field_choices(gov.MeetingCadence, "frequency")
    gov.MeetingCadence.objects.bulk_create(
        [
            gov.MeetingCadence(
                partnership=p,
                kind=kinds[j % len(kinds)],
                frequency=rng.choice(frequencies),
                start_date=today - timedelta(days=rng.randint(30, 400)),
            )
            for p in partnerships
            for j in range(2)
        ]
    )
    meetings = gov.Meeting.objects.bulk_create(
        [
            gov.Meeting(
                partnership=p,
                kind=kinds[0],
                title=f"Steering {j + 1}",
                held_on=today - timedelta(days=30 * (j + 1) + rng.randint(0, 10)),
                agenda="Review KPIs and risks.",
                minutes="Agreed next steps.",
                recorded_by=p.owner,
            )
            for p in partnerships
            for j in range(4)
        ]
    )
    action_statuses = field_choices(gov.ActionItem, "status")
    gov.ActionItem.objects.bulk_create(
        [
            gov.ActionItem(
                partnership_id=m.partnership_id,
                meeting=m,
                title=f"Follow up {j + 1} from {m.title}",
                owner=managers[(m.pk + j) % len(managers)],
                due_date=today + timedelta(days=rng.randint(-30, 60)),
                status=rng.choice(action_statuses),
            )
            for m in meetings
            for j in range(2)
        ]
    )
