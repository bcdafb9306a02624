"""Timing and the objects every benchmark measures with."""

import socket
import statistics
import time


def stats(samples, *, floor=None):
    samples = [s * 1000 for s in samples]  # ms
    out = {
        "median_ms": round(statistics.median(samples), 2),
        "min_ms": round(min(samples), 2),
        "max_ms": round(max(samples), 2),
        "runs": len(samples),
    }
    if floor:
        out["ratio"] = round(out["median_ms"] / floor, 2)
    return out


def timed(fn, repeat, *, setup=None):
    """[seconds] of ``fn()`` over ``repeat`` runs, and the last result."""
    samples, result = [], None
    for _ in range(repeat):
        if setup:
            setup()
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return samples, result


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def executive():
    from django.contrib.auth import get_user_model

    from benchmarks.generate import EXECUTIVE_USERNAME

    return get_user_model().objects.get(username=EXECUTIVE_USERNAME)


def dashboard_partnership():
    from partnerships.models import Partnership

    return Partnership.objects.filter(stage="active").order_by("pk").first()


def panel_urls(partnership):
    from django.urls import reverse

    from partnerships.panels import panels

    return {p.key: reverse(p.url_name, kwargs={"pk": partnership.pk}) for p in panels()}


def vacuum(*tables):
    """VACUUM ANALYZE of the tables (of every table when none is named): fresh statistics and
    no dead rows, so every run starts alike, also where autovacuum is off (as on CI's
    PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")
