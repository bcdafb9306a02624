"""Building one digest with news in every section runs a fixed number of queries, however many
partnerships it covers and however much each section reports."""

from datetime import date

import pytest
import time_machine

from contracts.models import Obligation
from digests.building import build_digest, render_digest
from kpis.snapshots import recompute
from partnerships.models import Stage
from tests.contracts.conftest import make_agreement
from tests.digests.helpers import aware, conflict, stage_move
from tests.factories import make_partnership
from tests.kpis.conftest import measure
from tests.kpis.test_digest_sections import MONDAY, at, pipeline_kpi, schedule

pytestmark = pytest.mark.django_db

# Every query of a digest, whatever it covers: the bound is not a sum per partnership or per
# section listed, so a new section that needs more must fold its reads into fewer. The KPI
# changes beyond the scorecard's cards take their values from the cards' query, and the values
# to enter in "Needs you" are one query whatever their frequencies.
DIGEST_QUERIES = 24


def _everything(n, owner, other):
    """n partnerships each with a KPI falling off track, a stage move and a conflict this
    week, an agreement ending soon, and obligations of someone else late and coming up."""
    partnerships = []
    for i in range(n):
        p = make_partnership(title=f"Q {i:02d}", stage=Stage.NEGOTIATION, owner=owner)
        partnerships.append(p)
        stage_move(p, Stage.ACTIVE, aware(date(2026, 11, 17 + i % 5)), by=owner)
        conflict(p, date(2026, 10, 1 + i % 20))
        agreement = make_agreement(p, end_date=date(2027, 1, 10))
        for first_due, recurrence in (
            (date(2026, 3, 31), "monthly"),
            (date(2026, 11, 26), "one_off"),
        ):
            Obligation.objects.create(
                agreement=agreement,
                partnership=p,
                description=f"Report {recurrence}",
                owner=other,
                first_due=first_due,
                recurrence=recurrence,
            )
    ids = [p.pk for p in partnerships]
    kpis = [pipeline_kpi(p) for p in partnerships]
    with time_machine.travel(at(date(2026, 10, 20)), tick=False):
        for kpi in kpis:
            measure(kpi, date(2026, 10, 1), 100000)
        recompute(partnership_ids=ids)
    with time_machine.travel(at(date(2026, 11, 18)), tick=False):
        for kpi in kpis:
            measure(kpi, date(2026, 11, 1), 70000)
        recompute(partnership_ids=ids)
    return ids


@pytest.mark.parametrize("n", [3, 60])
def test_one_digest_runs_a_fixed_number_of_queries(n, coo, manager, django_assert_max_num_queries):
    _everything(n, coo, manager)
    coo = type(coo).objects.get(pk=coo.pk)  # nothing cached on the user
    with (
        time_machine.travel(at(MONDAY, 7), tick=False),
        django_assert_max_num_queries(DIGEST_QUERIES),
    ):
        content = build_digest(coo, schedule())
        render_digest(content)
    titles = {s.title for s in content.news}
    assert {
        "Scorecard",
        "Alerts",
        "Stage moves",
        "Conflicts",
        "Overdue contract obligations",
        "Coming up in the next 30 days",
    } <= titles
    assert content.partnership_count == n
