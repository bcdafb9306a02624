"""1. Pages: the portfolio, the dashboard and its panels; and every page of the app."""

from benchmarks import knobs
from benchmarks.measure import (
    dashboard_partnership,
    executive,
    panel_urls,
    stats,
    timed,
)

# 1. Pages ------------------------------------------------------------------------------------


def _page_list(partnership):
    """{name: (url, headers[, write before])}: the pages measured, and the write that makes
    the next view of a page a build rather than a cache hit."""
    from django.db.models import F

    from partnerships.models import Partnership

    def write():
        # A committed write, as any form save makes: cached fragments no longer apply.
        Partnership.objects.filter(pk=partnership.pk).update(title=F("title"))

    pages = {
        "floor": ("/_bench/floor/", {}),
        "portfolio": ("/partnerships/", {}),
        "portfolio_filtered": ("/partnerships/?stage=active&type=technology", {}),
        "portfolio_after_write": ("/partnerships/", {}, write),
        "dashboard": (partnership.get_absolute_url(), {}),
        "dashboard_after_write": (partnership.get_absolute_url(), {}, write),
    }
    for key, url in panel_urls(partnership).items():
        pages[f"panel:{key}"] = (url, {"HTTP_HX_REQUEST": "true"})
    return pages


def _sample_rounds(client, pages):
    """({name: [seconds]}, {name: queries}) over knobs.PAGE_REPEAT rounds.

    Round after round, one sample of every page in each: a machine that slows down for a
    while slows the floor and the pages alike, so their ratios hold (in one burst per page,
    a slow minute landed on a few pages only and moved their ratios by up to 2x). Each round
    measures the pages built after a write first, then fills the caches again, so the pages
    served from them are measured as served."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples = {name: [] for name in pages}
    counts = {}

    def sample(name, url, headers, before=None):
        def get():
            with CaptureQueriesContext(connection) as queries:
                client.get(url, **headers)
            return len(queries)

        (seconds,), counts[name] = timed(get, 1, setup=before)
        samples[name].append(seconds)

    for _ in range(knobs.PAGE_REPEAT):
        for name, (url, headers, *before) in pages.items():
            if before:
                sample(name, url, headers, before[0])
        for url, headers, *_ in pages.values():
            response = client.get(url, **headers)  # templates, and the caches a write emptied
            assert response.status_code == 200, (url, response.status_code)
        for name, (url, headers, *before) in pages.items():
            if not before:
                sample(name, url, headers)
    return samples, counts


def bench_pages():
    from django.test import Client

    client = Client()
    client.force_login(executive())
    pages = _page_list(dashboard_partnership())
    samples, counts = _sample_rounds(client, pages)
    out = {
        name: {"url": pages[name][0], "queries": counts[name], **stats(samples[name])}
        for name in pages
    }
    floor = out["floor"]["median_ms"]
    for row in out.values():
        row["ratio"] = round(row["median_ms"] / floor, 2)
    panels_ms = sum(v["median_ms"] for k, v in out.items() if k.startswith("panel:"))
    out["dashboard_all_panels"] = {
        "median_ms": round(out["dashboard"]["median_ms"] + panels_ms, 2),
        "queries": out["dashboard"]["queries"]
        + sum(v["queries"] for k, v in out.items() if k.startswith("panel:")),
        "ratio": round((out["dashboard"]["median_ms"] + panels_ms) / floor, 2),
        "note": "sum of the page and each panel's median",
    }
    return out


def bench_every_page():
    """Every page and panel, for the executive and for a partner manager on their own
    partnership: queries (the budget is 15) and server time."""
    from django.contrib.auth import get_user_model

    from benchmarks.every_page import crawl, partner_user_for
    from benchmarks.generate import MANAGER_USERNAME
    from partnerships.models import Partnership

    manager = get_user_model().objects.get(username=MANAGER_USERNAME)
    own = Partnership.objects.visible_to(manager).filter(stage="active").order_by("pk").first()
    if own is None:  # at small sizes that manager may own nothing active: take an owner who does
        own = dashboard_partnership()
        manager = own.owner
    partnership = dashboard_partnership()
    pages = crawl(
        {
            "executive": (executive(), partnership),
            "manager": (manager, own),
            "partner": (partner_user_for(partnership), partnership),
        },
        repeat=knobs.REPEAT,
    )
    worst = {
        label: max(
            ((row["queries"], name) for name, row in rows.items() if "queries" in row),
            default=(0, ""),
        )
        for label, rows in pages.items()
    }
    errors = [
        f"{label} {name}: {row['status']}"
        for label, rows in pages.items()
        for name, row in rows.items()
        # 403 is a right answer (a manager may not edit goals); 404 and 5xx are not.
        if row.get("status", 200) == 404 or row.get("status", 200) >= 500
    ]
    return {
        "pages": pages,
        "summary": {
            "most_queries": {label: {"queries": q, "page": n} for label, (q, n) in worst.items()},
            "errors": errors,
        },
    }
