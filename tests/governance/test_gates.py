import pytest

from governance import services
from governance.models import RoleKind
from partnerships import stages
from partnerships.models import Stage
from partnerships.stages import StageMoveRefused, move_partnership
from tests.factories import make_objective

from .conftest import make_contact, make_role, make_template, start_checklist


@pytest.fixture
def only_base_and_governance_gates(monkeypatch):
    """Other apps (kpis) add their own gates; these tests look at governance's alone."""
    declared = stages.gates

    def kept(to_stage):
        return [g for g in declared(to_stage) if g.key.startswith(("governance.", "partnerships."))]

    monkeypatch.setattr(stages, "gates", kept)


@pytest.fixture
def in_due_diligence(partnership):
    partnership.stage = Stage.DUE_DILIGENCE
    partnership.save()
    return partnership


def test_negotiation_refused_without_due_diligence(in_due_diligence, manager):
    with pytest.raises(StageMoveRefused) as refused:
        move_partnership(in_due_diligence, Stage.NEGOTIATION, by=manager)
    assert refused.value.missing == ["Start due diligence and pass or waive its required items."]


def test_negotiation_refused_names_the_open_required_items(in_due_diligence, manager):
    checklist = start_checklist(in_due_diligence, manager)
    accounts = checklist.items.get(question="Audited accounts")
    services.checklist_item_update(item=accounts, by=manager, status="failed", rating=1)
    with pytest.raises(StageMoveRefused) as refused:
        move_partnership(in_due_diligence, Stage.NEGOTIATION, by=manager)
    assert refused.value.missing == [
        "Pass or waive the required due-diligence item ‘Audited accounts’.",
        "Pass or waive the required due-diligence item ‘Sanctions screening’.",
    ]
    in_due_diligence.refresh_from_db()
    assert in_due_diligence.stage == Stage.DUE_DILIGENCE


def test_negotiation_allowed_when_required_items_passed_or_waived(
    in_due_diligence, manager, only_base_and_governance_gates
):
    checklist = start_checklist(in_due_diligence, manager)
    accounts, sanctions, references = checklist.items.order_by("order")
    services.checklist_item_update(item=accounts, by=manager, status="passed", rating=4)
    services.checklist_item_update(
        item=sanctions, by=manager, status="waived", waiver_reason="Listed; screened by bank."
    )
    # The optional item may stay open.
    move_partnership(in_due_diligence, Stage.NEGOTIATION, by=manager)
    in_due_diligence.refresh_from_db()
    assert in_due_diligence.stage == Stage.NEGOTIATION


def test_negotiation_gate_shows_on_the_partnership_page(client, in_due_diligence, manager):
    start_checklist(in_due_diligence, manager, make_template([("Credit check", True, 1)]))
    client.force_login(manager)
    response = client.get(in_due_diligence.get_absolute_url())
    assert "Pass or waive the required due-diligence item ‘Credit check’." in response.text


@pytest.fixture
def in_negotiation(partnership):
    partnership.stage = Stage.NEGOTIATION
    partnership.save()
    make_objective(partnership)
    return partnership


def test_active_refused_without_sponsor_and_owner_roles(in_negotiation, manager):
    with pytest.raises(StageMoveRefused) as refused:
        move_partnership(in_negotiation, Stage.ACTIVE, by=manager)
    assert "Assign an executive sponsor." in refused.value.missing
    assert "Assign a partnership owner role." in refused.value.missing


def test_active_refused_with_only_a_sponsor(in_negotiation, manager, coo):
    make_role(in_negotiation, RoleKind.EXECUTIVE_SPONSOR, user=coo)
    make_role(in_negotiation, RoleKind.PARTNER_PRINCIPAL, contact=make_contact(in_negotiation))
    with pytest.raises(StageMoveRefused) as refused:
        move_partnership(in_negotiation, Stage.ACTIVE, by=manager)
    assert "Assign a partnership owner role." in refused.value.missing
    assert "Assign an executive sponsor." not in refused.value.missing


def test_active_allowed_with_sponsor_and_owner(
    in_negotiation, manager, coo, only_base_and_governance_gates
):
    make_role(in_negotiation, RoleKind.EXECUTIVE_SPONSOR, user=coo)
    make_role(in_negotiation, RoleKind.OWNER, user=manager)
    move_partnership(in_negotiation, Stage.ACTIVE, by=manager)
    in_negotiation.refresh_from_db()
    assert in_negotiation.stage == Stage.ACTIVE
