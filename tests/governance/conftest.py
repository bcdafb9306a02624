"""Builders for governance tests."""

import itertools
from datetime import date

from governance import services
from governance.models import (
    ActionItem,
    ChecklistTemplate,
    GovernanceRole,
    Meeting,
    MeetingCadence,
    PerformanceReview,
    Risk,
    RoleKind,
    TemplateItem,
    default_level,
)
from partnerships.models import Contact

_seq = itertools.count(1)


def make_template(items=None, **fields):
    """A template with the given (question, required, weight) items; three by default."""
    fields.setdefault("name", f"Template {next(_seq)}")
    template = ChecklistTemplate.objects.create(**fields)
    items = items or [
        ("Audited accounts", True, 2),
        ("Sanctions screening", True, 1),
        ("Customer references", False, 1),
    ]
    for order, (question, required, weight) in enumerate(items):
        TemplateItem.objects.create(
            template=template,
            section="financial",
            question=question,
            required=required,
            weight=weight,
            order=order,
        )
    return template


def start_checklist(partnership, by, template=None, **kwargs):
    return services.checklist_start(
        partnership=partnership, by=by, template=template or make_template(), **kwargs
    )


def conclude_all(checklist, by, status="passed"):
    for item in checklist.items.all():
        services.checklist_item_update(item=item, by=by, status=status, rating=4)


def make_contact(partnership, name=None):
    return Contact.objects.create(
        partner=partnership.partner, name=name or f"Contact {next(_seq)}", email="c@example.com"
    )


def make_role(partnership, kind=RoleKind.OWNER, *, user=None, contact=None, **fields):
    fields.setdefault("level", default_level(kind))
    return GovernanceRole.objects.create(
        partnership=partnership, kind=kind, user=user, contact=contact, **fields
    )


def make_meeting(partnership, held_on=date(2025, 3, 1), **fields):
    fields.setdefault("title", f"Meeting {next(_seq)}")
    return Meeting.objects.create(partnership=partnership, held_on=held_on, **fields)


def make_action(partnership, owner, due_date=date(2025, 3, 15), **fields):
    fields.setdefault("title", f"Action {next(_seq)}")
    return ActionItem.objects.create(
        partnership=partnership, owner=owner, due_date=due_date, **fields
    )


def make_risk(partnership, by=None, likelihood=3, impact=3, **fields):
    fields.setdefault("title", f"Risk {next(_seq)}")
    fields.setdefault("category", "operational")
    risk = Risk(partnership=partnership, likelihood=likelihood, impact=impact, **fields)
    return services.risk_save(risk=risk, by=by)


def make_cadence(partnership, kind="steering", frequency="monthly", **fields):
    fields.setdefault("start_date", date(2025, 1, 1))
    return MeetingCadence.objects.create(
        partnership=partnership, kind=kind, frequency=frequency, **fields
    )


def make_review(partnership, **fields):
    fields.setdefault("period_start", date(2025, 1, 1))
    fields.setdefault("period_end", date(2025, 3, 31))
    fields.setdefault("rating", 4)
    fields.setdefault("went_well", "Delivery")
    fields.setdefault("went_badly", "Reporting")
    fields.setdefault("recommendation", "continue")
    return PerformanceReview.objects.create(partnership=partnership, **fields)
