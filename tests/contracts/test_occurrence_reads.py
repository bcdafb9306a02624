"""The occurrences worked out in SQL give what their references, walking each obligation's due
dates in Python, give: month ends, every cadence, end dates, kept dates on and off the schedule,
ended obligations and partnerships, owners and none."""

from datetime import date

import pytest

from contracts import occurrence_reads
from contracts.models import Fulfilment, Obligation
from partnerships.models import Stage
from tests.digests.helpers import many_partnerships

from .conftest import make_agreement

pytestmark = pytest.mark.django_db


def _keep(obligation, *days):
    Fulfilment.objects.bulk_create(
        Fulfilment(obligation=obligation, due_date=day, fulfilled_on=day) for day in days
    )


def _obligation(agreement, owner, first_due, recurrence, **fields):
    return Obligation.objects.create(
        agreement=agreement,
        partnership=agreement.partnership,
        description=f"{recurrence} from {first_due}",
        owner=owner,
        first_due=first_due,
        recurrence=recurrence,
        **fields,
    )


def _varied(manager, coo):
    """Obligations of every kind over three partnerships, the last one ended."""
    partnerships = many_partnerships(3, owner=manager, prefix="Obl")
    partnerships[2].stage = Stage.ENDED
    partnerships[2].save(update_fields=["stage"])
    for i, partnership in enumerate(partnerships):
        agreement = make_agreement(partnership)
        owners = [manager, coo, None]
        for j, (first_due, recurrence) in enumerate(
            [
                (date(2025, 1, 31), "monthly"),  # month ends: 28 Feb, 31 Mar, 30 Apr ...
                (date(2024, 2, 29), "yearly"),  # 28 Feb in the years between leap years
                (date(2025, 11, 30), "quarterly"),
                (date(2026, 11, 20), "one_off"),
                (date(2026, 12, 3), "one_off"),
                (date(2026, 12, 10), "monthly"),  # first due in the days ahead
                (date(2027, 2, 1), "monthly"),  # not due yet
            ]
        ):
            owner = owners[(i + j) % 3]
            obligation = _obligation(agreement, owner, first_due, recurrence)
            if j == 0:
                # Kept: its first three, one later, and a date that is not a due date.
                _keep(
                    obligation,
                    date(2025, 1, 31),
                    date(2025, 2, 28),
                    date(2025, 3, 31),
                    date(2025, 6, 30),
                    date(2025, 7, 15),
                    date(2026, 12, 31),
                )
            if j == 2:
                _keep(obligation, date(2025, 11, 30), date(2026, 2, 28), date(2026, 11, 30))
            if j == 4:
                _keep(obligation, date(2026, 12, 3))
        _obligation(agreement, manager, date(2025, 3, 15), "monthly", ends_on=date(2026, 6, 15))
        _obligation(agreement, coo, date(2025, 3, 15), "monthly", status=Obligation.Status.ENDED)
    return [p.pk for p in partnerships]


DAYS = [date(2025, 2, 28), date(2026, 3, 1), date(2026, 11, 30), date(2027, 1, 31)]


@pytest.mark.parametrize("today", DAYS)
def test_late_obligations_in_sql_match_the_reference(today, manager, coo):
    ids = _varied(manager, coo)
    for not_owned_by in (None, coo):
        in_sql = occurrence_reads.late_obligations(ids, today, not_owned_by=not_owned_by)
        reference = occurrence_reads.late_obligations_reference(
            ids, today, not_owned_by=not_owned_by
        )
        assert in_sql == reference
    assert in_sql  # something is late on each of these days


@pytest.mark.parametrize("today", DAYS)
@pytest.mark.parametrize("days", [0, 7, 30, 95])
def test_due_occurrences_in_sql_match_the_reference(today, days, manager, coo):
    ids = _varied(manager, coo)
    for partnership_ids in (None, ids[:1], set(ids)):
        in_sql = occurrence_reads.due_occurrences(today, days, partnership_ids=partnership_ids)
        reference = occurrence_reads.due_occurrences_reference(
            today, days, partnership_ids=partnership_ids
        )
        assert in_sql == reference


def test_the_late_count_skips_kept_dates_only(manager, coo):
    [partnership] = many_partnerships(1, owner=manager, prefix="Count")
    obligation = _obligation(make_agreement(partnership), manager, date(2026, 1, 31), "monthly")
    _keep(obligation, date(2026, 1, 31), date(2026, 3, 31), date(2026, 3, 15))
    [row] = occurrence_reads.late_obligations([partnership.pk], date(2026, 6, 1))
    # Due 31 Jan, 28 Feb, 31 Mar, 30 Apr, 31 May; 31 Jan and 31 Mar kept (15 Mar is no due date).
    assert (row.due_date, row.count) == (date(2026, 2, 28), 3)
    assert row.owner == manager.get_full_name()
    assert occurrence_reads.late_obligations([partnership.pk], date(2026, 2, 28)) == []


# 10 Nov: a first due date (10 Dec) falls on the last day of the 30 ahead.
@pytest.mark.parametrize("today", [*DAYS, date(2026, 11, 10)])
def test_owned_open_obligations_in_sql_match_the_reference(today, manager, coo):
    _varied(manager, coo)
    found = []
    for user in (manager, coo):
        in_sql = occurrence_reads.owned_open(user, today)
        assert in_sql == occurrence_reads.owned_open_reference(user, today)
        found += in_sql
    assert found  # each of these days, someone owns an obligation with a date not kept
