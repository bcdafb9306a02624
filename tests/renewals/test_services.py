"""Opening packs as notice periods come near, recommending, and deciding: the decision moves
the stage in the same transaction or nothing is recorded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models import RoleKind
from outbox.models import Message
from partnerships.models import Interaction, Stage, StageMove
from renewals import services
from renewals.models import Decision, DecisionPack

pytestmark = pytest.mark.django_db


def test_a_pack_opens_once_as_the_notice_period_comes_near(renewing, coo, manager, settings):
    today = timezone.localdate()
    settings.DECISION_PACK_LEAD_DAYS = 10  # the notice date (15 days ago) has passed
    assert services.open_due_packs(today=today) == 1
    assert services.open_due_packs(today=today) == 0
    (pack,) = DecisionPack.objects.all()
    assert pack.agreement_end == today + timedelta(days=75)
    assert pack.why.startswith("The agreement ends on") and "has passed" in pack.why
    # The executives and the owner are told once each, through the outbox.
    mails = Message.objects.filter(key__startswith=f"decision-pack:{pack.pk}")
    assert sorted(m.recipient for m in mails) == [coo.email, manager.email]
    # Decided, it does not open again for the same end date.
    services.decide(pack, decision=Decision.RENEW, reason="Targets met for a year.", by=coo)
    assert services.open_due_packs(today=today) == 0


def test_no_pack_far_from_the_notice_date_or_once_ended(renewing, settings):
    today = timezone.localdate()
    agreement = renewing.agreement
    agreement.end_date = today + timedelta(days=365)
    agreement.save()
    settings.DECISION_PACK_LEAD_DAYS = 60  # notice due in 275 days
    assert services.due_for_pack(today) == []
    assert services.due_for_pack(today + timedelta(days=215)) == [renewing]
    renewing.stage = Stage.ENDED
    renewing.save(update_fields=["stage"])
    assert services.due_for_pack(today + timedelta(days=215)) == []


def test_asking_again_shows_the_open_pack(renewing, coo):
    first, created = services.open_pack(renewing, by=coo)
    again, created_again = services.open_pack(renewing, by=coo)
    assert created and not created_again and again == first
    assert first.why == "Asked by Clara Okafor"


@pytest.mark.parametrize(
    ("decision", "stage"),
    [
        (Decision.RENEW, Stage.ACTIVE),
        (Decision.EXPAND, Stage.ACTIVE),
        (Decision.RENEGOTIATE, Stage.RENEWAL),
        (Decision.EXIT, Stage.ENDED),
    ],
)
def test_each_decision_moves_to_its_stage(renewing, coo, decision, stage):
    pack, _ = services.open_pack(renewing, by=coo)
    decided = services.decide(pack, decision=decision, reason="Decided at the board.", by=coo)
    renewing.refresh_from_db()
    assert renewing.stage == stage
    assert (decided.stage_before, decided.stage_after) == (Stage.RENEWAL, stage)
    moves = StageMove.objects.filter(partnership=renewing)
    # Renegotiating keeps it in Renewal: no move, the decision is still recorded.
    assert moves.count() == (0 if stage == Stage.RENEWAL else 1)
    if moves:
        assert moves.get().reason == f"{Decision(decision).label}: Decided at the board."


def test_exit_closes_what_is_open(renewing, coo):
    Interaction.objects.create(
        partnership=renewing,
        kind=Interaction.Kind.CONFLICT,
        occurred_on=timezone.localdate(),
        subject="Lead ownership",
        recorded_by=coo,
    )
    pack, _ = services.open_pack(renewing, by=coo)
    services.decide(pack, decision=Decision.EXIT, reason="The market moved away.", by=coo)
    assert not Interaction.objects.filter(partnership=renewing, resolved_on__isnull=True).exists()


def test_refused_decisions_record_nothing(renewing, coo, manager):
    pack, _ = services.open_pack(renewing, by=coo)
    with pytest.raises(services.DecisionRefused) as refused:
        services.decide(pack, decision=Decision.RENEW, reason="ok", by=manager)
    assert refused.value.problems == [
        "Only an executive decides a renewal.",
        "Say why in a sentence at least (three words).",
    ]
    # Active needs an executive sponsor: the gate's words come back and nothing changes.
    renewing.governance_roles.filter(kind=RoleKind.EXECUTIVE_SPONSOR).delete()
    with pytest.raises(services.DecisionRefused) as refused:
        services.decide(pack, decision=Decision.RENEW, reason="Targets met all year.", by=coo)
    assert refused.value.problems == ["Assign an executive sponsor."]
    pack.refresh_from_db()
    renewing.refresh_from_db()
    assert pack.is_open and renewing.stage == Stage.RENEWAL
    # An executive may move even so; what was missing stays in the stage history.
    services.decide(
        pack, decision=Decision.RENEW, reason="Targets met all year.", by=coo, force=True
    )
    assert StageMove.objects.get(partnership=renewing).forced


def test_a_recommendation_needs_a_sentence_and_an_open_pack(renewing, coo, manager):
    pack, _ = services.open_pack(renewing, by=coo)
    with pytest.raises(services.DecisionRefused):
        services.recommend(pack, text="renew", by=manager)
    services.recommend(pack, text="Renew with a higher revenue target.", by=manager)
    assert pack.recommended_by == manager
    services.decide(pack, decision=Decision.EXIT, reason="The market moved away.", by=coo)
    with pytest.raises(services.DecisionRefused):
        services.recommend(pack, text="Renew with a higher revenue target.", by=manager)
