"""What governance adds to the renewal decision pack: the risks as the risk register shows
them, and the last performance reviews."""

from django.urls import reverse

from partnerships.pack import Section, Table

from .models import PerformanceReview, RiskStatus

REVIEWS = 3
TOP_RISKS = 8


def risks(partnership, *, today):
    found = list(partnership.risks.select_related("owner").order_by("-score", "title"))
    still_open = [r for r in found if r.status != RiskStatus.CLOSED]
    figures = []
    if found:
        figures = [
            ("Open risks", str(len(still_open))),
            ("Closed", str(len(found) - len(still_open))),
            ("Highest open score", f"{still_open[0].score}/25" if still_open else "—"),
        ]
    rows = [
        [
            r.title,
            r.get_category_display(),
            f"{r.score}/25",
            r.get_status_display(),
            r.owner.get_full_name() if r.owner else "—",
        ]
        for r in still_open[:TOP_RISKS]
    ]
    return Section(
        title="Risks",
        figures=figures,
        table=Table(["Open risk", "Category", "Score", "Status", "Owner"], rows),
        link=reverse("governance:risks", kwargs={"pk": partnership.pk}),
        empty="No risk was recorded.",
    )


def reviews(partnership, *, today):
    found = list(
        PerformanceReview.objects.filter(partnership=partnership).select_related("reviewed_by")[
            :REVIEWS
        ]
    )
    lines = [
        f"{r.period_start:%b %Y} – {r.period_end:%b %Y}: rated {r.rating}/5, "
        f"recommended {r.get_recommendation_display().lower()}. Went well: {r.went_well} "
        f"Did not: {r.went_badly}"
        for r in found
    ]
    return Section(
        title="Last performance reviews",
        lines=lines,
        link=reverse("governance:meetings", kwargs={"pk": partnership.pk}),
        empty="No performance review yet.",
    )
