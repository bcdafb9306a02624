"""Demo: the partnership in its Renewal stage is inside its notice period, with its pack
assembled and a recommendation waiting for the executive's decision."""

from django.utils import timezone

from partnerships.models import Stage

from . import services


def seed_decision_pack(ctx):
    partnership = next((p for p in ctx["partnerships"].values() if p.stage == Stage.RENEWAL), None)
    if partnership is None or partnership.decision_packs.exists():
        return
    why = services.why_now(partnership.agreement, timezone.localdate())
    pack, _ = services.open_pack(partnership, why=why)
    services.recommend(
        pack,
        text="Renegotiate: pipeline is on target but escalations take too long; tie the "
        "revenue share to resolution times before renewing.",
        by=partnership.owner or ctx["users"]["coo"],
    )
