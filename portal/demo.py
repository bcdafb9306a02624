"""Demo: two partner users on two partners, with values they sent and objectives agreed."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from kpis import periods
from partnerships.demo import DEMO_PASSWORD
from partnerships.roles import PARTNER_USER

from . import agreements, submissions
from .demo_partner_work import seed_partner_work
from .models import PartnershipAccess, PartnerUser, Submission

# username, partner, contact name, partnership
PEOPLE = [
    ("hannah", "Northwind Analytics", "Hannah Lee", "Joint AI insights offering"),
    ("erik", "Brightpath Resellers", "Erik Lund", "Swedish channel programme"),
]


@transaction.atomic
def seed_portal(ctx, today=None):
    today = today or timezone.localdate()
    logins = ctx.setdefault("logins", [])
    group = Group.objects.get_or_create(name=PARTNER_USER)[0]
    for username, partner_name, contact_name, title in PEOPLE:
        partnership = ctx["partnerships"].get(title)
        partner = ctx["partners"].get(partner_name)
        if partnership is None or partner is None:
            continue
        logins.append((username, contact_name, f"Partner user ({partner_name})"))
        contact = partner.contacts.filter(name=contact_name).first()
        if contact is None or PartnerUser.objects.filter(contact=contact).exists():
            continue
        first, _, last = contact_name.partition(" ")
        user = get_user_model().objects.create_user(
            username=username, email=contact.email, first_name=first, last_name=last
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(group)
        profile = PartnerUser.objects.create(user=user, contact=contact, partner=partner)
        PartnershipAccess.objects.create(
            partner_user=profile, partnership=partnership, granted_by=partnership.owner
        )
        _seed_work(partnership, user, today)
        seed_partner_work(partnership, user, contact, today)


def _seed_work(partnership, user, today):
    """The partner enters two KPIs: one counts at once, one waits for our acceptance."""
    kpis = list(partnership.kpis.filter(is_active=True).order_by("pk")[:2])
    for index, kpi in enumerate(kpis):
        kpi.shared_with_partner = True
        kpi.entered_by = "partner"
        kpi.partner_values_need_acceptance = index == 1
        kpi.save(
            update_fields=["shared_with_partner", "entered_by", "partner_values_need_acceptance"]
        )
        # This period's figure, sent by the partner.
        period = kpi.current_period(today)
        latest = kpi.measurements.order_by("-period").first()
        value = latest.value if latest else kpi.target
        submissions.submit(kpi=kpi, period=period, raw=value, by=user, today=today)
        if index == 1:
            earlier = periods.previous_period(period, kpi.frequency)
            rejected, _ = submissions.submit(
                kpi=kpi, period=earlier, raw=kpi.critical, by=user, today=today
            )
            submissions.reject(
                submission=rejected,
                by=partnership.owner,
                reason="This looks like the quarter's total; send the month's figure.",
            )
    objectives = list(partnership.objectives.order_by("pk"))
    if objectives:
        agreements.agree(objective=objectives[0], side="ours", by=partnership.owner)
        agreements.agree(objective=objectives[0], side="partner", by=user)
    if len(objectives) > 1:
        agreements.agree(objective=objectives[1], side="partner", by=user)
    assert Submission.objects.filter(kpi__partnership=partnership).exists() or not kpis
