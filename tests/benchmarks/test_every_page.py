"""The every-page benchmark names every route of the app, so a new page cannot escape the query
budget unmeasured."""

from django.urls import URLPattern, URLResolver, get_resolver

from benchmarks.every_page import NOT_PAGES, page_urls
from partnerships.panels import panels


def route_names(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from route_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_route_is_crawled_or_named_as_not_a_page(db):
    from tests.factories import make_partnership

    crawled = set(page_urls(make_partnership()))
    panel_routes = {p.url_name for p in panels()}
    missing = set(route_names()) - crawled - NOT_PAGES - panel_routes
    assert not missing, f"add these routes to benchmarks/every_page.py: {sorted(missing)}"
    assert not (crawled & NOT_PAGES)
