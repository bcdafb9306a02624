from datetime import date, datetime, time

from django.utils import timezone

from digests import services
from partnerships.models import Agreement, Interaction, Stage, StageMove
from tests.factories import make_partnership


def stage_move(partnership, to_stage, at, *, from_stage=None, by=None, forced=False):
    """A logged move (the stage machine is the partnerships app's; we only need its log)."""
    from_stage = from_stage or partnership.stage
    partnership.stage = to_stage
    partnership.save(update_fields=["stage"])
    return StageMove.objects.create(
        partnership=partnership,
        from_stage=from_stage,
        to_stage=to_stage,
        moved_by=by,
        moved_at=at,
        forced=forced,
        reason="Gate met.",
    )


def conflict(partnership, occurred_on, subject="Dispute over lead ownership", **fields):
    return Interaction.objects.create(
        partnership=partnership,
        kind=Interaction.Kind.CONFLICT,
        occurred_on=occurred_on,
        subject=subject,
        summary="Both sides claimed the same lead.",
        **fields,
    )


def agreement(partnership, end_date, *, notice_days=90, start=date(2024, 1, 1), auto_renew=True):
    return Agreement.objects.create(
        partnership=partnership,
        start_date=start,
        end_date=end_date,
        renewal_notice_days=notice_days,
        auto_renew=auto_renew,
    )


def prefer(user, **fields):
    return services.preference_save(user=user, **fields)


def many_partnerships(n, *, owner, team=(), stage=Stage.ACTIVE, prefix="P"):
    out = []
    for i in range(n):
        p = make_partnership(title=f"{prefix} {i:02d}", owner=owner, stage=stage)
        if team:
            p.team.add(*team)
        out.append(p)
    return out


def aware(day, hour=9, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())
