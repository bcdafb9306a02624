"""Digests built in a batch, as a fan-out task builds its few, are each the same as built alone,
and what they share (the KPI readings, health and history of the partnerships followed) is read
once for the batch."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digests.building import build_digest, digest_batch, render_digest
from kpis.snapshots import recompute
from partnerships.models import Stage
from tests.digests.test_build_queries import _everything
from tests.factories import make_partnership
from tests.kpis.conftest import measure
from tests.kpis.test_digest_sections import MONDAY, at, pipeline_kpi, schedule

pytestmark = pytest.mark.django_db


def _rendered(user):
    email = render_digest(build_digest(user, schedule()))
    return email.subject, email.text, email.html


def _emails(users):
    with CaptureQueriesContext(connection) as queries:
        emails = [_rendered(type(u).objects.get(pk=u.pk)) for u in users]
    return emails, len(queries)


def test_each_digest_of_a_batch_is_the_same_as_built_alone(coo, manager, other_manager):
    _everything(4, manager, other_manager)
    # Partnerships only some recipients follow, one of them healthy and one not scored.
    own = [make_partnership(title=f"Own {i}", owner=other_manager) for i in range(3)]
    for p in own:
        p.team.add(other_manager)
    kpi = pipeline_kpi(own[0])
    with time_machine.travel(at(date(2026, 11, 18)), tick=False):
        measure(kpi, date(2026, 11, 1), 120000)
        recompute(partnership_ids=[own[0].pk])
    make_partnership(title="Ended long ago", stage=Stage.ENDED, owner=coo)
    users = [manager, coo, other_manager, manager]
    with time_machine.travel(at(MONDAY, 7), tick=False):
        alone, queries_alone = _emails(users)
        with digest_batch(users):
            together, queries_together = _emails(users)
    assert together == alone
    assert all("Scorecard" in html for _, _, html in alone)
    assert "Own 0" in alone[2][2] and "Own 0" not in alone[0][2]
    # The scorecard's readings of each digest are one batch's: a few queries fewer each.
    assert queries_together <= queries_alone - 2 * (len(users) - 1)


def test_the_batch_shares_nothing_outside_it(coo, manager, other_manager):
    _everything(2, manager, other_manager)
    with time_machine.travel(at(MONDAY, 7), tick=False):
        with digest_batch([coo]):
            _rendered(coo)
        first, queries = _emails([coo])
        again, queries_again = _emails([coo])
    assert first == again and queries == queries_again
