import pytest
from django.utils import timezone

from governance.models import ActionItem, Checklist, ChecklistItem
from kpis import periods
from kpis.models import Alert, CorrectiveAction, Kpi, MeasurementImport
from partnerships.models import Contact, Objective
from portal import invites
from portal.models import LedgerEntry, PartnershipAccess, PartnerUser
from tests.factories import make_objective, make_partner, make_partnership, make_user


def make_kpi(partnership, objective, **fields):
    fields.setdefault("name", f"KPI {Kpi.objects.count() + 1}")
    fields.setdefault("unit", "count")
    fields.setdefault("direction", "higher")
    fields.setdefault("target", 100)
    fields.setdefault("warning", 80)
    fields.setdefault("critical", 50)
    fields.setdefault("frequency", "monthly")
    return Kpi.objects.create(partnership=partnership, objective=objective, **fields)


def make_partner_user(partner, partnership=None, name="Pia Partner", username=None):
    contact = Contact.objects.create(
        partner=partner, name=name, email=f"{(username or name.split()[0]).lower()}@partner.example"
    )
    user = make_user(username or name.split()[0].lower(), "Partner user", first_name=name)
    profile = PartnerUser.objects.create(user=user, contact=contact, partner=partner)
    if partnership is not None:
        PartnershipAccess.objects.create(partner_user=profile, partnership=partnership)
    return profile


@pytest.fixture
def world(db, partnership, manager):
    """Partner A with a partnership the partner user was given, and one internal-only KPI;
    partner B with its own partnership, partner user and KPIs."""
    a = partnership
    shared_obj = make_objective(a, title="Grow joint revenue", side=Objective.Side.SHARED)
    ours_obj = make_objective(a, title="Our margin", side=Objective.Side.OURS)
    shared = make_kpi(a, shared_obj, name="Joint deals", entered_by="partner")
    internal = make_kpi(
        a, ours_obj, name="Our margin %", unit="percent", target=40, warning=30, critical=20
    )
    other_a = make_partnership(partner=a.partner, title="Second A partnership", owner=manager)
    other_a_obj = make_objective(other_a, side=Objective.Side.SHARED)
    other_a_kpi = make_kpi(other_a, other_a_obj, name="Other A KPI", entered_by="partner")
    b_partner = make_partner("Globex")
    b = make_partnership(partner=b_partner, title="Globex deal", owner=manager)
    b_obj = make_objective(b, side=Objective.Side.PARTNER)
    b_kpi = make_kpi(b, b_obj, name="Globex KPI", entered_by="partner")
    pa = make_partner_user(a.partner, a, name="Pia Partner", username="pia")
    pb = make_partner_user(b_partner, b, name="Bob Globex", username="bob")
    b_import = MeasurementImport.objects.create(
        uploaded_by=pb.user, file="kpi-imports/b.csv", original_name="b.csv", state="ready"
    )
    world = {
        "b_import": b_import,
        "a": a,
        "b": b,
        "other_a": other_a,
        "shared": shared,
        "internal": internal,
        "other_a_kpi": other_a_kpi,
        "other_a_obj": other_a_obj,
        "b_kpi": b_kpi,
        "shared_obj": shared_obj,
        "ours_obj": ours_obj,
        "b_obj": b_obj,
        "pa": pa,
        "pb": pb,
    }
    world.update(partner_work(world, manager))
    return world


def partner_work(world, manager):
    """Partner B's actions, and partner A's that are internal: what partner A never reaches."""
    today = timezone.localdate()
    a, b, pa, pb = world["a"], world["b"], world["pa"], world["pb"]

    def alert(kpi):
        return Alert.objects.create(
            kpi=kpi,
            partnership=kpi.partnership,
            severity="at_risk",
            peak_severity="at_risk",
            opened_period=today,
        )

    def corrective(kpi, contact):
        return CorrectiveAction.objects.create(
            alert=alert(kpi),
            kpi=kpi,
            partnership=kpi.partnership,
            description="Fix it",
            owner_contact=contact,
            due_date=today,
        )

    def question(partnership, sent):
        checklist, _ = Checklist.objects.get_or_create(partnership=partnership)
        return ChecklistItem.objects.create(
            checklist=checklist,
            section="financial",
            question="Audited accounts?",
            answered_by_partner=sent,
        )

    def entry(partnership):
        return LedgerEntry.objects.create(
            partnership=partnership,
            delivered_by="ours",
            kind="revenue",
            amount=1000,
            description="Deals",
            occurred_on=today,
            entered_side="ours",
        )

    return {
        "b_question": question(b, True),
        "internal_question": question(a, False),
        "b_entry": entry(b),
        "other_a_entry": entry(world["other_a"]),
        "b_action": ActionItem.objects.create(
            partnership=b, title="B's action", owner_contact=pb.contact, due_date=today
        ),
        "internal_action": ActionItem.objects.create(
            partnership=a, title="Our action", owner=manager, due_date=today
        ),
        "b_corrective": corrective(world["b_kpi"], pb.contact),
        # On an internal KPI: not visible even though Pia owns it.
        "internal_corrective": corrective(world["internal"], pa.contact),
    }


def last_period(kpi):
    return periods.previous_period(kpi.current_period(timezone.localdate()), kpi.frequency)


__all__ = ["invites", "make_kpi", "make_partner_user", "last_period"]
