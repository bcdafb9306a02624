"""The renewal decision in the partnership page's header: one query."""

from django.urls import reverse

from partnerships.header import Fact

from .models import DecisionPack


def decision_fact(partnership):
    latest = (
        DecisionPack.objects.filter(partnership=partnership)
        .only("decision", "decided_at", "opened_at")
        .first()
    )
    if latest is None:
        return None
    url = reverse("renewals:pack", args=[partnership.pk])
    if latest.is_open:
        return Fact("Renewal", "decision pack ready", tone="amber", url=url)
    return Fact(
        "Renewal",
        f"decided: {latest.get_decision_display().lower()}",
        url=url,
        detail=f"{latest.decided_at:%-d %b %Y}",
    )
