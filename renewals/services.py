"""Opening a decision pack, recommending and deciding. The decision moves the stage in the
same transaction, or nothing is recorded."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone

from outbox.services import enqueue_email, recipient_key
from partnerships.models import Agreement, Partnership, Stage
from partnerships.roles import is_executive
from partnerships.stages import StageMoveRefused, is_sentence, move_partnership

from .models import DECISION_STAGE, Decision, DecisionPack
from .selectors import pack_recipients


class DecisionRefused(Exception):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def lead_days():
    """How long before the notice deadline Concord assembles the pack on its own."""
    return settings.DECISION_PACK_LEAD_DAYS


def open_pack(partnership, *, by=None, why="", now=None):
    """(pack, created): the partnership's pack waiting for a decision, opened now if there is
    none. Its executives and owner are told once, through the outbox."""
    now = now or timezone.now()
    existing = partnership.decision_packs.filter(decision="").first()
    if existing:
        return existing, False
    agreement = Agreement.objects.filter(partnership=partnership).first()
    try:
        with transaction.atomic():
            pack = DecisionPack.objects.create(
                partnership=partnership,
                opened_at=now,
                opened_by=by,
                why=why or (f"Asked by {by.get_full_name() or by.username}" if by else ""),
                agreement_end=agreement.end_date if agreement else None,
                notice_deadline=agreement.notice_deadline if agreement else None,
            )
            _tell(pack)
    except IntegrityError:  # opened by someone else a moment ago
        return partnership.decision_packs.get(decision=""), False
    return pack, True


def _tell(pack):
    context = {
        "pack": pack,
        "partnership": pack.partnership,
        "url": settings.SITE_URL + pack.get_absolute_url(),
    }
    subject = " ".join(f"Renewal decision pack ready: {pack.partnership.title}".split())[:300]
    text = render_to_string("emails/renewals/pack_ready.txt", context)
    for address in pack_recipients(pack.partnership):
        enqueue_email(
            to=address,
            subject=subject,
            text=text,
            key=recipient_key(f"decision-pack:{pack.pk}", address),
        )


def due_for_pack(today):
    """Partnerships whose notice deadline is at most ``lead_days()`` away (or passed) and whose
    agreement has not ended, with no pack yet for this end date (one query)."""
    horizon = today + timedelta(days=lead_days())
    packed = DecisionPack.objects.filter(
        partnership=OuterRef("pk"), agreement_end=OuterRef("agreement__end_date")
    )
    candidates = (
        Partnership.objects.exclude(stage=Stage.ENDED)
        .filter(agreement__end_date__gte=today)
        .exclude(Exists(packed))
        .select_related("agreement")
        .order_by("pk")
    )
    return [p for p in candidates if p.agreement.notice_deadline <= horizon]


def why_now(agreement, today):
    """Why the pack was assembled, in the words of the agreement's dates."""
    deadline, end = agreement.notice_deadline, agreement.end_date
    if deadline >= today:
        return f"Notice to end or change the agreement is due by {deadline:%-d %B %Y}."
    return (
        f"The agreement ends on {end:%-d %B %Y}; the notice date, {deadline:%-d %B %Y}, has passed."
    )


def open_due_packs(*, today=None, now=None):
    """The daily job: a pack for every partnership coming into its notice period."""
    today = today or timezone.localdate()
    opened = 0
    for partnership in due_for_pack(today):
        _, created = open_pack(partnership, why=why_now(partnership.agreement, today), now=now)
        opened += created
    return opened


def recommend(pack, *, text, by, now=None):
    text = (text or "").strip()
    if not pack.is_open:
        raise DecisionRefused(["This pack has been decided; open a new one to reconsider."])
    if not is_sentence(text):
        raise DecisionRefused(["A recommendation needs a sentence at least (three words)."])
    pack.recommendation = text
    pack.recommended_by = by
    pack.recommended_at = now or timezone.now()
    pack.save(update_fields=["recommendation", "recommended_by", "recommended_at"])
    return pack


def decide(pack, *, decision, reason, by, force=False, now=None):
    """Record the executive's decision and move the stage it leads to (nothing when the
    partnership is there already). Raises DecisionRefused with what stands in the way."""
    reason = (reason or "").strip()
    problems = []
    if not is_executive(by):
        problems.append("Only an executive decides a renewal.")
    if decision not in Decision.values:
        problems.append("Choose renew, expand, renegotiate or exit.")
    if not is_sentence(reason):
        problems.append("Say why in a sentence at least (three words).")
    if problems:
        raise DecisionRefused(problems)
    now = now or timezone.now()
    target = DECISION_STAGE[Decision(decision)]
    with transaction.atomic():
        locked = DecisionPack.objects.select_for_update().get(pk=pack.pk)
        if not locked.is_open:
            raise DecisionRefused(["This pack was decided a moment ago; reload to see how."])
        partnership = locked.partnership
        before = partnership.stage
        if target != before:
            label = Decision(decision).label
            try:
                move_partnership(
                    partnership, target, by=by, reason=f"{label}: {reason}", force=force, now=now
                )
            except StageMoveRefused as refused:
                raise DecisionRefused(refused.missing) from None
        locked.decision = decision
        locked.reason = reason
        locked.decided_by = by
        locked.decided_at = now
        locked.stage_before = before
        locked.stage_after = partnership.stage
        locked.save()
    pack.refresh_from_db()
    return pack
