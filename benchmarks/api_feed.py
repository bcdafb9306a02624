"""The API's bulk write: 10,000 measurements in one POST /api/v1/measurements/ with a token,
through the whole stack (token, DRF, the import's checks, the write, the recompute marks), and
the same request again with its Idempotency-Key (answered from the key, nothing written)."""

import json
import time
from datetime import timedelta

from benchmarks import knobs
from benchmarks.measure import executive, stats


def feed_rows(rows):
    """``rows`` new weekly values, for periods before the generated history."""
    from kpis.models import Kpi, Measurement

    # The generator's KPIs are all weekly.
    kpis = list(Kpi.objects.filter(frequency="weekly").order_by("pk").values_list("pk", flat=True))
    first = Measurement.objects.order_by("period").values_list("period", flat=True).first()
    first -= timedelta(days=first.weekday())
    out, back = [], 0
    while len(out) < rows:
        back += 1
        period = (first - timedelta(weeks=back)).isoformat()
        out.extend(
            {"kpi_id": pk, "period": period, "value": (pk * 7 + back) % 90 + 5}
            for pk in kpis[: rows - len(out)]
        )
    return out


def bench_api_feed():
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from api import tokens
    from api.models import ApiToken, Scope
    from kpis.models import FeedRequest, Measurement, RecomputeMark, Source

    user = executive()
    token, secret = tokens.token_create(
        user=user,
        name="benchmark",
        scopes=[Scope.READ, Scope.WRITE_MEASUREMENTS],
        expires_on=timezone.localdate() + timedelta(days=1),
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = reverse("api:measurements")
    samples, replays, queries, answer = [], [], 0, {}
    began = timezone.now()

    def send(run, body):
        key = {"HTTP_IDEMPOTENCY_KEY": f"bench-{run}"}
        return client.post(url, body, content_type="application/json", **key)

    def clean_up():
        # Leave the data as it was for the next run.
        Measurement.objects.filter(
            source=Source.API, recorded_by=user, recorded_at__gte=began
        ).delete()
        RecomputeMark.objects.all().delete()

    try:
        for run in range(knobs.HEAVY_REPEAT):
            body = json.dumps({"measurements": feed_rows(knobs.API_FEED_ROWS)})
            start = time.perf_counter()
            response = send(run, body)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 201, response.content[:500]
            answer = response.json()
            start = time.perf_counter()
            again = send(run, body)
            replays.append(time.perf_counter() - start)
            assert again["Idempotent-Replayed"] == "true"
            clean_up()
        # Counted apart: capturing the queries formats every parameter of the bulk inserts,
        # which would be timed too.
        with CaptureQueriesContext(connection) as captured:
            send("count", body)
        queries = len(captured)
        clean_up()
    finally:
        FeedRequest.objects.filter(user=user, key__startswith="bench-").delete()
        ApiToken.objects.filter(pk=token.pk).delete()
    return {
        "api_feed": {"rows": knobs.API_FEED_ROWS, "queries": queries, **stats(samples)},
        "api_feed_replay": {"created_first": answer.get("created"), **stats(replays)},
    }
