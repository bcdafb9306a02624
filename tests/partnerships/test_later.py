"""Reads of several sources made in one statement (``partnerships.later``): the rows come back
as the queries alone give them, typed, in each query's order."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db.models import Count

from partnerships.later import (
    Later,
    Raw,
    call_together,
    deferrable,
    named,
    read_rows,
    run_together,
)
from partnerships.models import Partnership, Stage, StageMove
from tests.digests.helpers import aware, stage_move
from tests.factories import make_partnership

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(coo):
    made = []
    for i, value in enumerate([Decimal("12.50"), None, Decimal("1000000.05")]):
        p = make_partnership(title=f"Later {i}", owner=coo if i != 1 else None)
        p.estimated_annual_value = value
        p.start_date = date(2025, 1, 1 + i)
        p.save()
        stage_move(p, Stage.ACTIVE, aware(date(2026, 11, 17 + i)), by=coo if i else None)
        made.append(p)
    return made


def test_rows_are_typed_as_the_queryset_gives_them(three, django_assert_num_queries):
    partnerships = (
        Partnership.objects.filter(pk__in=[p.pk for p in three])
        .order_by("-title")
        .values("pk", "title", "owner_id", "start_date", "estimated_annual_value", "partner__name")
    )
    moves = (
        StageMove.objects.filter(partnership__in=three)
        .order_by("moved_at")
        .values("partnership_id", "to_stage", "forced", "moved_at", "moved_by__username")
    )
    counted = (
        StageMove.objects.filter(partnership__in=three)
        .values("to_stage")
        .annotate(n=Count("pk"))
        .order_by("to_stage")
    )
    with django_assert_num_queries(1):
        together = read_rows([partnerships, moves, counted])
    assert together == [list(partnerships), list(moves), list(counted)]
    first = together[0][0]
    assert first["estimated_annual_value"] == Decimal("1000000.05")
    assert str(together[0][2]["estimated_annual_value"]) == "12.50"  # as written, not 12.5
    moved_at = together[1][0]["moved_at"]
    assert isinstance(moved_at, datetime) and moved_at.tzinfo is moves[0]["moved_at"].tzinfo
    assert together[0][1]["owner_id"] is None and together[0][1]["estimated_annual_value"] is None


def test_raw_sql_with_named_parameters_and_typed_columns(three):
    raw = Raw(
        "SELECT id, title, start_date FROM partnerships_partnership "
        "WHERE title LIKE %(prefix)s AND (start_date > %(day)s OR start_date = %(day)s) "
        "ORDER BY start_date DESC",
        {"prefix": "Later%%", "day": date(2025, 1, 2)},
        {"start_date": date.fromisoformat},
    )
    [rows] = read_rows([raw])
    assert [(r["title"], r["start_date"]) for r in rows] == [
        ("Later 2", date(2025, 1, 3)),
        ("Later 1", date(2025, 1, 2)),
    ]


def test_a_query_that_can_match_nothing_is_not_run(django_assert_num_queries):
    nothing = Partnership.objects.filter(pk__in=[]).values("pk")
    with django_assert_num_queries(0):
        assert read_rows([nothing, nothing]) == [[], []]
    with django_assert_num_queries(1):
        assert read_rows([nothing, Partnership.objects.values("pk")]) == [[], []]


def test_a_model_queryset_is_refused():
    with pytest.raises(TypeError, match="values"):
        read_rows([Partnership.objects.all()])


@deferrable
def titles(prefix):
    rows = Partnership.objects.filter(title__startswith=prefix).order_by("title").values("title")
    return Later(rows, lambda rows: [r["title"] for r in rows])


def known(prefix):
    return [f"{prefix} (no read)"]


def test_deferrable_sources_read_together(three, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert titles("Later") == ["Later 0", "Later 1", "Later 2"]
    with django_assert_num_queries(1):
        results = call_together(
            [(titles, ("Later 1",), {}), (known, ("x",), {}), (titles, ("Later",), {})]
        )
    assert results == [["Later 1"], ["x (no read)"], ["Later 0", "Later 1", "Later 2"]]
    both = Later.gather([titles.later("Later 2"), 7, titles.later("Nobody")], tuple).map(list)
    with django_assert_num_queries(1):
        assert run_together([both, titles.later("Later 0")]) == [
            [["Later 2"], 7, []],
            ["Later 0"],
        ]


def test_named_rows_read_like_named_value_lists(three):
    moves = StageMove.objects.filter(partnership=three[0]).values(
        "partnership__title", "partnership__partner__name", "moved_by__username", "to_stage"
    )
    [move] = named(Later(moves, list).now())
    assert vars(move) == moves.get()
    assert move.partnership__title == "Later 0"
    assert move.moved_by__username is None and move.to_stage == Stage.ACTIVE
