"""What the governance views share: the partnership, fragments, form pages, panels."""

from partnerships import pagecache
from partnerships.access import get_partnership_for_user
from partnerships.form_pages import form_page
from partnerships.models import Partnership

PANEL_ROWS = 8


def _partnership(request, pk, *, edit=False):
    queryset = Partnership.objects.select_related("partner", "owner")
    return get_partnership_for_user(request.user, pk, edit=edit, queryset=queryset)


def _is_fragment(request):
    htmx = getattr(request, "htmx", None)
    return bool(htmx and not htmx.boosted and not htmx.history_restore_request)


def _form_page(request, form, *, title, partnership, back_url, intro="", extra=None):
    return form_page(
        request,
        form,
        title=title,
        partnership=partnership,
        back_url=back_url,
        intro=intro,
        extra=extra,
    )


def _cached_panel(request, pk, name, build_context):
    """A governance panel of the partnership page, from the page cache: the template
    ``governance/<name>.html`` with ``build_context(request, partnership, full=...)``."""
    partnership = _partnership(request, pk)
    return pagecache.panel(
        request,
        f"governance/{name}.html",
        lambda: build_context(request, partnership, full=not _is_fragment(request)),
        key=f"{name}:{partnership.pk}",
    )
