"""The recent values the digest's scorecard and KPI changes read, in SQL and through the ORM."""

from datetime import date

import pytest

from kpis.models import Kpi
from kpis.queries.kpi_history import kpi_history, kpi_history_reference
from tests.kpis.test_digest_sections import _varied_history

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("since", "until"),
    [(date(2026, 5, 1), date(2026, 11, 23)), (date(2026, 10, 1), date(2026, 11, 16))],
)
def test_kpi_history_in_sql_matches_the_reference(since, until):
    ids, kpis = _varied_history()
    kpi_ids = list(Kpi.objects.filter(partnership_id__in=ids).values_list("pk", flat=True))

    in_sql = kpi_history(kpi_ids, since, until)

    assert in_sql == kpi_history_reference(kpi_ids, since, until)
    assert {row.kpi_id for row in in_sql} >= {kpis["On time"].pk, kpis["Weekly"].pk}
    assert kpi_history([], since, until) == []
