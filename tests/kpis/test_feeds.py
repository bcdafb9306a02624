"""Measurements sent by another system: the import's rules, all or nothing, once per key."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone

from kpis import feeds
from kpis.models import FeedRequest, Measurement, MeasurementRevision, RecomputeMark, Source

from .conftest import make_kpi


@pytest.fixture
def weekly(partnership):
    return make_kpi(partnership, name="Leads", frequency="weekly")


def week(n):
    return str(date.fromisocalendar(2024, n, 1))


def rows(kpi, weeks=3, value=10):
    return [{"kpi_id": kpi.pk, "period": week(w), "value": value + w} for w in range(1, weeks + 1)]


def test_rows_are_written_with_the_api_as_source_and_the_token_owner(manager, weekly):
    answer = feeds.apply_feed(rows(weekly), user=manager)

    assert answer.status == 201
    assert answer.body == {"rows": 3, "created": 3, "corrected": 0, "unchanged": 0, "skipped": 0}
    stored = Measurement.objects.filter(kpi=weekly).order_by("period")
    assert [m.value for m in stored] == [Decimal(11), Decimal(12), Decimal(13)]
    assert {m.source for m in stored} == {Source.API}
    assert {m.recorded_by_id for m in stored} == {manager.pk}
    assert RecomputeMark.objects.exists(), "the recompute goes through the marks, not a call"


def test_a_correction_keeps_the_replaced_value_in_the_history(manager, weekly):
    feeds.apply_feed(rows(weekly, weeks=1), user=manager)
    answer = feeds.apply_feed(
        [{"kpi_id": weekly.pk, "period": week(1), "value": "1 200", "note": "restated"}],
        user=manager,
    )

    assert answer.body.get("corrected") == 1, answer.body
    revision = MeasurementRevision.objects.get()
    assert revision.value == Decimal(11)
    assert revision.replaced_via == Source.API
    assert Measurement.objects.get(kpi=weekly).value == Decimal(1200)


def test_one_bad_row_writes_nothing_and_names_the_row(manager, weekly):
    sent = rows(weekly)
    sent[1]["value"] = "twelve"
    sent.append({"kpi_id": 999999, "period": week(5), "value": 1})

    answer = feeds.apply_feed(sent, user=manager)

    assert answer.status == 400
    assert "nothing was written" in answer.body["detail"]
    assert [(e["index"], e["field"]) for e in answer.body["errors"]] == [
        (1, "value"),
        (3, "kpi_id"),
    ]
    assert "Unknown KPI 999999" in answer.body["errors"][1]["message"]
    assert not Measurement.objects.exists()


def test_the_import_rules_apply_a_period_that_does_not_fit_the_frequency(manager, weekly):
    tuesday = str(date.fromisocalendar(2024, 3, 2))
    answer = feeds.apply_feed([{"kpi_id": weekly.pk, "period": tuesday, "value": 1}], user=manager)

    assert answer.status == 400
    assert answer.body["errors"][0]["field"] == "period"


def test_another_teams_kpi_is_refused(other_manager, weekly):
    answer = feeds.apply_feed(rows(weekly, weeks=1), user=other_manager)

    assert answer.status == 400
    assert "Unknown KPI" in answer.body["errors"][0]["message"]
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ([], "non-empty list"),
        ({"kpi_id": 1}, "non-empty list"),
        ([{"kpi_id": 1, "period": "2024-W01", "value": 1}, "x"], "Measurement 1 is not an object"),
    ],
)
def test_a_malformed_request_is_refused_whole(manager, sent, message):
    answer = feeds.apply_feed(sent, user=manager)

    assert answer.status == 400
    assert message in answer.body["detail"]


def test_more_rows_than_the_limit_are_refused_before_checking(manager, weekly, settings):
    settings.API_FEED_MAX_ROWS = 2

    answer = feeds.apply_feed(rows(weekly, weeks=3), user=manager)

    assert answer.status == 400
    assert "at most 2" in answer.body["detail"]


def test_a_repeated_key_returns_the_first_answer_and_writes_nothing(manager, weekly):
    first = feeds.apply_feed(rows(weekly), user=manager, key="batch-7")
    Measurement.objects.all().delete()

    again = feeds.apply_feed(rows(weekly), user=manager, key="batch-7")

    assert again.replayed and not first.replayed
    assert (again.status, again.body) == (first.status, first.body)
    assert not Measurement.objects.exists(), "the repeat wrote nothing"


def test_a_refused_request_is_replayed_as_refused(manager, weekly):
    sent = rows(weekly)
    sent[0]["value"] = "?"
    first = feeds.apply_feed(sent, user=manager, key="k")
    again = feeds.apply_feed(sent, user=manager, key="k")

    assert again.status == first.status == 400
    assert again.body == first.body


def test_a_key_used_for_other_rows_is_refused(manager, weekly):
    feeds.apply_feed(rows(weekly), user=manager, key="k")

    answer = feeds.apply_feed(rows(weekly, value=50), user=manager, key="k")

    assert answer.status == 422
    assert "different request" in answer.body["detail"]
    assert {m.value for m in Measurement.objects.all()} == {Decimal(11), Decimal(12), Decimal(13)}


def test_keys_belong_to_their_user(manager, coo, weekly):
    feeds.apply_feed(rows(weekly), user=manager, key="k")

    answer = feeds.apply_feed(rows(weekly, weeks=1), user=coo, key="k")

    assert not answer.replayed
    assert FeedRequest.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_retry_waits_for_the_first_and_gets_its_answer(manager, weekly):
    """The second request blocks on the key until the first commits, then replays it."""
    answers, started = {}, threading.Event()

    def send(name):
        try:
            started.set()
            answers[name] = feeds.apply_feed(rows(weekly), user=manager, key="same")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(a.replayed for a in answers.values()) == [False, True]
    assert {a.body["created"] for a in answers.values()} == {3}
    assert Measurement.objects.count() == 3


def test_keys_are_forgotten_after_the_retention_period(manager, weekly, settings):
    settings.API_IDEMPOTENCY_DAYS = 7
    feeds.apply_feed(rows(weekly), user=manager, key="old")
    FeedRequest.objects.update(created_at=timezone.now() - timedelta(days=8))
    feeds.apply_feed(rows(weekly, weeks=1), user=manager, key="new")

    assert feeds.purge_keys() == 1
    assert list(FeedRequest.objects.values_list("key", flat=True)) == ["new"]


def test_rows_whose_every_kpi_id_is_not_a_number_are_refused_not_a_crash(manager):
    """Found by schemathesis: with no KPI known at all, the import's check raised a TypeError
    (an import file of such rows did too)."""
    sent = [{"kpi_id": -3, "period": "2024-W01", "value": 1}, {"kpi_id": "x", "value": 2}]

    answer = feeds.apply_feed(sent, user=manager)

    assert answer.status == 400
    assert [e["field"] for e in answer.body["errors"]] == ["kpi_id", "kpi_id", "period"]


def test_a_kpi_number_too_long_for_any_kpi_is_refused_not_a_crash(manager, weekly):
    sent = [{"kpi_id": 75658908274384093184, "period": week(1), "value": 1}, rows(weekly)[0]]

    answer = feeds.apply_feed(sent, user=manager)

    assert answer.status == 400
    assert "is not a KPI number" in answer.body["errors"][0]["message"]
