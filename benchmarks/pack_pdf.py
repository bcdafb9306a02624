"""The renewal decision pack's PDF for the partnership with the longest weekly KPI history in
the data (three years at the large size): server time per download, the target < 3 s."""

import io

from benchmarks import knobs
from benchmarks.measure import executive, stats, timed


def _longest_weekly_history():
    """(partnership, weeks of history, KPIs) with the most weekly snapshots."""
    from django.db.models import Count, Max, Min

    from kpis.models import Snapshot
    from partnerships.models import Partnership

    row = (
        Snapshot.objects.filter(frequency="weekly")
        .values("partnership_id")
        .annotate(n=Count("pk"), first=Min("period"), last=Max("period"))
        .order_by("-n")
        .first()
    )
    if row is None:
        partnership = Partnership.objects.order_by("pk").first()
        return partnership, 0, partnership.kpis.count()
    partnership = Partnership.objects.get(pk=row["partnership_id"])
    weeks = (row["last"] - row["first"]).days // 7 + 1
    return partnership, weeks, partnership.kpis.count()


def bench_pack_pdf():
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from pypdf import PdfReader

    client = Client()
    client.force_login(executive())
    partnership, weeks, kpis = _longest_weekly_history()
    url = reverse("renewals:pack_pdf", args=[partnership.pk])
    first = client.get(url)  # fonts and templates loaded once per process
    assert first.status_code == 200, first.status_code

    def download():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return len(queries), response.content

    samples, (queries, pdf) = timed(download, knobs.HEAVY_REPEAT)
    return {
        "pack_pdf": {
            "weeks_of_history": weeks,
            "kpis": kpis,
            "pages": len(PdfReader(io.BytesIO(pdf)).pages),
            "bytes": len(pdf),
            "queries": queries,
            **stats(samples),
        }
    }
