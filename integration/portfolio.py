"""What integration plans add to the portfolio: slipped milestones first in "needs attention"."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from partnerships.plugins import Attention

from .selectors import slipped


def slipped_count(today):
    """For the portfolio's default order: the partnership's milestones past due and open."""
    counted = (
        slipped(today)
        .filter(workstream__partnership=OuterRef("pk"))
        .order_by()
        .values("workstream__partnership")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


ATTENTION = [
    Attention(
        "integration.slipped",
        "the most slipped milestones",
        slipped_count,
        order=35,
        descending=True,
    )
]
