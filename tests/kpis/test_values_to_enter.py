"""The values a user is to enter, read in one query and frequency by frequency."""

import pytest

from kpis import periods
from kpis.snapshots import recompute
from kpis.work import values_to_enter, values_to_enter_reference
from partnerships.models import Stage
from tests.clock import TODAY
from tests.factories import make_partnership
from tests.kpis.conftest import make_kpi, measure

pytestmark = pytest.mark.django_db


def test_values_to_enter_in_one_query_match_the_reference(manager, other_manager):
    mine = make_partnership(title="Mine", owner=manager, stage=Stage.ACTIVE)
    theirs = make_partnership(title="Theirs", owner=other_manager, stage=Stage.ACTIVE)
    kpis = []
    for frequency in ("weekly", "monthly", "quarterly"):
        entered = make_kpi(mine, frequency=frequency, name=f"Entered {frequency}")
        measure(entered, periods.recent_periods(frequency, 2, TODAY)[0], 5)
        kpis += [
            entered,
            make_kpi(mine, frequency=frequency, name=f"Missing {frequency}"),
            make_kpi(mine, frequency=frequency, entered_by="partner"),
            make_kpi(mine, frequency=frequency, is_active=False),
            make_kpi(theirs, frequency=frequency),
        ]
    recompute([k.pk for k in kpis])

    found = values_to_enter(manager, TODAY)

    assert found == sorted(values_to_enter_reference(manager, TODAY), key=lambda i: i.pk)
    assert [i.title.split(" for ")[0] for i in found] == [
        "Enter Missing weekly",
        "Enter Missing monthly",
        "Enter Missing quarterly",
    ]
