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


def test_a_viewer_is_crawled_on_their_own_import_only(db):
    """An import is its uploader's alone (another's is a 404): the crawl must not count one
    uploaded by someone else as an error of the viewer's import page."""
    from kpis.models import MeasurementImport
    from tests.factories import make_partnership, make_user

    partnership = make_partnership()
    uploader, viewer = make_user(), make_user()
    theirs = MeasurementImport.objects.create(uploaded_by=uploader, original_name="a.csv")

    assert page_urls(partnership, viewer)["kpis:import_detail"] is None
    assert (
        page_urls(partnership, uploader)["kpis:import_detail"].rstrip("/").endswith(str(theirs.pk))
    )
    mine = MeasurementImport.objects.create(uploaded_by=viewer, original_name="b.csv")
    assert page_urls(partnership, viewer)["kpis:import_detail"].rstrip("/").endswith(str(mine.pk))
