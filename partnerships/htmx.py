def wants_fragment(request):
    """HTMX asks for a part of the page; boosted and history-restore requests need all of it."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx and not htmx.boosted and not htmx.history_restore_request)


def fragment(request, template, partial):
    """The page template, or just its named partial when HTMX asks for a fragment."""
    if wants_fragment(request):
        return f"{template}#{partial}"
    return template
