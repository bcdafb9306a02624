"""Demo: what a partner user did besides their figures: actions they own (one closed with a
note), questionnaire items answered with a file, health checks from both sides over several
quarters (with one gap worth a conversation), and a ledger with a balance over time."""

from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from governance import services as governance
from governance.models import ActionItem, Checklist, ChecklistItem
from kpis.models import Alert, CorrectiveAction

from . import healthchecks, ledger, partner_actions, questionnaire
from .models import HealthCheck, LedgerEntry, QuestionnaireAnswer

# Scores per quarter, oldest first: (ours, theirs) for trust, communication, value, fairness,
# alignment. The partner's sense of fairness drops as the split of effort tilts.
SURVEYS = [
    ((4, 4, 4, 4, 4), (4, 4, 3, 4, 4)),
    ((4, 4, 4, 4, 5), (4, 3, 3, 3, 4)),
    ((4, 3, 4, 4, 4), (4, 3, 3, 2, 4)),
    ((4, 4, 5, 4, 4), (4, 3, 3, 2, 3)),
]
# (quarters ago, delivered by, kind, amount, description)
LEDGER = [
    (3, "partner", "revenue", 42000, "Referred customers closed in the quarter"),
    (3, "ours", "revenue", 38000, "Joint deals booked through our platform"),
    (2, "partner", "revenue", 51000, "Referred customers closed in the quarter"),
    (2, "ours", "cost_saved", 12000, "Shared data pipeline replaced their vendor"),
    (1, "partner", "revenue", 64000, "Referred customers closed in the quarter"),
    (1, "ours", "revenue", 30000, "Joint deals booked through our platform"),
    (1, "partner", "effort", 18, "Solution engineers on joint bids"),
    (0, "partner", "revenue", 70000, "Referred customers closed in the quarter"),
    (0, "ours", "effort", 6, "Workshop and enablement"),
    (0, "partner", "customers", 4, "New logos introduced"),
]


def seed_partner_work(partnership, user, contact, today):
    if HealthCheck.objects.filter(partnership=partnership).exists():
        return  # seeded already
    owner = partnership.owner
    _actions(partnership, user, contact, owner, today)
    _questionnaire(partnership, user, owner, today)
    this_quarter = healthchecks.quarter_of(today)
    for back, (ours, theirs) in enumerate(reversed(SURVEYS)):
        day = _quarters_back(this_quarter, back) if back else today
        for side, scores, by in (("ours", ours, owner), ("partner", theirs, user)):
            data = {f: str(s) for (f, _), s in zip(healthchecks.QUESTIONS, scores, strict=True)}
            if side == "partner" and back == 0:
                data["fairness_comment"] = "Our engineers carry most of the joint bids."
            healthchecks.save(partnership=partnership, side=side, data=data, by=by, today=day)
    for back, by, kind, amount, description in LEDGER:
        day = min(_quarters_back(this_quarter, back), today) if back else today
        entered = "partner" if by == "partner" else "ours"
        entry = ledger.add(
            partnership=partnership,
            side=entered,
            by=user if entered == "partner" else owner,
            data={
                "delivered_by": by,
                "kind": kind,
                "amount": str(amount),
                "description": description,
                "occurred_on": day.isoformat(),
            },
        )
        if back or entered == "ours":  # the partner's entries this quarter wait for us
            other = owner if entered == "partner" else user
            ledger.decide(entry=entry, side=_other(entered), by=other, confirm=True)
    assert LedgerEntry.objects.filter(partnership=partnership).exists()


def _quarters_back(quarter, n):
    months = quarter.year * 12 + quarter.month - 1 - 3 * n
    return date(months // 12, months % 12 + 1, 15)


def _other(side):
    return "partner" if side == "ours" else "ours"


def _actions(partnership, user, contact, owner, today):
    done = ActionItem.objects.create(
        partnership=partnership,
        title="Share the list of resellers in the Nordics",
        owner_contact=contact,
        due_date=today - timedelta(days=3),
    )
    partner_actions.update(
        action=done, kind="item", status="done", note="Sent to Marco on Tuesday.", by=user
    )
    ActionItem.objects.create(
        partnership=partnership,
        title="Confirm the joint webinar speakers",
        owner_contact=contact,
        due_date=today + timedelta(days=7),
    )
    alert = (
        Alert.objects.filter(partnership=partnership, resolved_at__isnull=True)
        .select_related("kpi")
        .first()
    )
    if alert is not None:
        CorrectiveAction.objects.create(
            alert=alert,
            kpi=alert.kpi,
            partnership=partnership,
            description="Two joint pipeline reviews a month until the figure recovers",
            owner_contact=contact,
            due_date=today + timedelta(days=14),
            created_by=owner,
        )


def _questionnaire(partnership, user, owner, today):
    checklist = Checklist.objects.filter(partnership=partnership).first()
    if checklist is None:
        try:
            checklist = governance.checklist_start(partnership=partnership, by=owner)
        except Exception:  # no template in this database: nothing to ask
            return
    items = list(checklist.items.order_by("section", "order", "pk")[:3])
    ChecklistItem.objects.filter(pk__in=[i.pk for i in items]).update(answered_by_partner=True)
    answers = [
        "Yes. Audited accounts for the last three years are attached.",
        "We hold ISO 27001 since 2021; the certificate is attached.",
    ]
    for item, text in zip(items, answers, strict=False):
        item.refresh_from_db()
        upload = None
        if not checklist.is_signed_off and item.status not in ("passed", "failed", "waived"):
            upload = ContentFile(f"{text}\n".encode(), name="evidence-summary.txt")
        if upload is None:
            QuestionnaireAnswer.objects.get_or_create(
                item=item,
                defaults={"answer": text, "answered_by": user, "answered_at": timezone.now()},
            )
        else:
            questionnaire.answer(item=item, text=text, upload=upload, by=user)
